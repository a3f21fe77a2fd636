/**
 * Every error code of the protocol, in one place. Codes travel as strings in
 * `{id, error: {code, message, data?}}`; each one is described in the
 * package README (a test fails when one is missing there).
 */
export const ErrorCodes = {
  /** The line is not valid JSON; answered with `id: null`. */
  ParseError: 'parse_error',
  /** The line is JSON but not a request, response or notification; answered with `id: null`. */
  InvalidRequest: 'invalid_request',
  /** No handler is registered for the request's method. */
  MethodNotFound: 'method_not_found',
  /** The request's params fail the method's schema. */
  InvalidParams: 'invalid_params',
  /** The handler failed with something other than a `ResponseError`. */
  InternalError: 'internal_error',
  /** Local: no response arrived within the request's timeout. */
  Timeout: 'timeout',
  /** Local: the connection closed before the request was answered, or was already closed. */
  ConnectionClosed: 'connection_closed',
  /** Local: the connection was disposed by its owner while the request was pending. */
  Disposed: 'disposed',
  /** The `hello` token does not match the worker's secret. */
  Unauthorized: 'unauthorized',
  /** The slug is not managed by the supervisor. */
  UnknownSlug: 'unknown_slug',
  /** The `hello` comes from a worker the supervisor does not expect now: none is (the repo is stopped or stopping), or the slug belongs to another worker pid. */
  UnexpectedWorker: 'unexpected_worker',
  /** The runtime is already running. */
  AlreadyRunning: 'already_running',
  /** The runtime is not running. */
  NotRunning: 'not_running',
  /** Local: the response's result fails the method's result schema. */
  InvalidResponse: 'invalid_response',
  /** The peer speaks another protocol version. */
  VersionMismatch: 'version_mismatch',
} as const;

/** One of the protocol's error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error code on the wire: one of ours, or any string a newer peer may send. */
export type WireErrorCode = ErrorCode | (string & {});

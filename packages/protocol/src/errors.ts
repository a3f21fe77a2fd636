import type { ErrorCode, ErrorCodes, WireErrorCode } from './error-codes.js';

/** The `error` member of an error response, as it travels on the wire. */
export interface ResponseErrorObject {
  code: WireErrorCode;
  message: string;
  data?: unknown;
}

/**
 * The wire error. A request handler throws it to answer with that code, and
 * `Connection.request` rejects with it when the peer answers with an error.
 */
export class ResponseError extends Error {
  override readonly name = 'ResponseError';

  constructor(
    readonly code: WireErrorCode,
    message: string,
    readonly data?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Builds the error a peer sent in `{id, error}`. */
  static fromObject(error: ResponseErrorObject): ResponseError {
    return new ResponseError(error.code, error.message, error.data);
  }

  /** The `error` member of a response carrying this error. */
  toJSON(): ResponseErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** Codes of local failures, which never travel on the wire. */
export type ConnectionErrorCode = typeof ErrorCodes.ConnectionClosed | typeof ErrorCodes.Timeout | typeof ErrorCodes.Disposed;

/**
 * A local failure of a request: sent on a closed connection, timed out, or
 * left pending when the connection closed or was disposed.
 */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';

  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is a {@link ResponseError} or {@link ConnectionError} with that code. */
export function hasErrorCode(error: unknown, code: ErrorCode): boolean {
  return (error instanceof ResponseError || error instanceof ConnectionError) && error.code === code;
}

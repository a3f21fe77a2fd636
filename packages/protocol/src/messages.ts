import * as z from 'zod/mini';
import { formatIssueLines, issuePath } from '@repovisor/kit';
import './zod-messages.js';

// Envelope schemas, parsed once per line at the socket boundary. Unknown extra
// members (e.g. a `jsonrpc` field) are tolerated and stripped.

const RequestId = z.int().check(z.minimum(0));

/** A request: `{id, method, params?}`. */
export const RequestMessage = z.object({
  id: RequestId,
  method: z.string().check(z.minLength(1)),
  params: z.optional(z.unknown()),
});
/** A request as parsed from the wire. */
export type RequestMessage = z.infer<typeof RequestMessage>;

/** The `error` member of an error response: `{code, message, data?}`. */
export const ErrorObject = z.object({
  code: z.string().check(z.minLength(1)),
  message: z.string(),
  data: z.optional(z.unknown()),
});
/** An error as parsed from the wire. */
export type ErrorObject = z.infer<typeof ErrorObject>;

/** A successful response: `{id, result}` (the `result` member must be present). */
export const SuccessResponseMessage = z.object({
  id: RequestId,
  result: z.unknown(),
  error: z.optional(z.never()),
});
/** A successful response as parsed from the wire. */
export type SuccessResponseMessage = z.infer<typeof SuccessResponseMessage>;

/** An error response: `{id, error}`; `id` is null when the failed line had no usable id. */
export const ErrorResponseMessage = z.object({
  id: z.nullable(RequestId),
  error: ErrorObject,
  result: z.optional(z.never()),
});
/** An error response as parsed from the wire. */
export type ErrorResponseMessage = z.infer<typeof ErrorResponseMessage>;

/** A response: `{id, result}` or `{id, error}`. */
export const ResponseMessage = z.union([SuccessResponseMessage, ErrorResponseMessage]);
/** A response as parsed from the wire. */
export type ResponseMessage = z.infer<typeof ResponseMessage>;

/** A notification: `{method, params?}` and no `id`. */
export const NotificationMessage = z.object({
  method: z.string().check(z.minLength(1)),
  params: z.optional(z.unknown()),
  id: z.optional(z.never()),
});
/** A notification as parsed from the wire. */
export type NotificationMessage = z.infer<typeof NotificationMessage>;

/** Any protocol message. */
export type Message = RequestMessage | ResponseMessage | NotificationMessage;

/** What one decoded JSON line turned out to be; `unknown` is valid JSON of no protocol shape. */
export type ClassifiedMessage =
  | { kind: 'request'; message: RequestMessage }
  | { kind: 'response'; message: ResponseMessage }
  | { kind: 'notification'; message: NotificationMessage }
  | { kind: 'unknown'; value: unknown };

/** Tells a decoded JSON value apart as a request, response, notification or none of these. */
export function classifyMessage(value: unknown): ClassifiedMessage {
  // Only the schemas whose required members are present are tried: each
  // message is classified with one parse, which is what a round trip costs.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'unknown', value };
  const hasId = 'id' in value;
  const hasMethod = 'method' in value;
  if (hasId && hasMethod) {
    const request = RequestMessage.safeParse(value);
    if (request.success) return { kind: 'request', message: request.data };
  }
  if (hasId) {
    const response = ResponseMessage.safeParse(value);
    if (response.success) return { kind: 'response', message: response.data };
  }
  if (hasMethod) {
    const notification = NotificationMessage.safeParse(value);
    if (notification.success) return { kind: 'notification', message: notification.data };
  }
  return { kind: 'unknown', value };
}

/** True for an error response. */
export function isErrorResponse(message: ResponseMessage): message is ErrorResponseMessage {
  return message.error !== undefined;
}

/** One line per zod issue, `path: message`, joined for an error message. */
export function formatIssues(error: z.core.$ZodError): string {
  return formatIssueLines(error.issues, '(root)').join('; ');
}

/** The zod issues as plain data for an error's `data` member. */
export function issuesData(error: z.core.$ZodError): { issues: { path: string; message: string }[] } {
  return { issues: error.issues.map((issue) => ({ path: issuePath(issue, ''), message: issue.message })) };
}

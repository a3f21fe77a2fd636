export { DEFAULT_MAX_LINE_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, PROTOCOL_VERSION } from './constants.js';
export { ErrorCodes } from './error-codes.js';
export type { ErrorCode, WireErrorCode } from './error-codes.js';
export { ConnectionError, ResponseError, hasErrorCode } from './errors.js';
export type { ConnectionErrorCode, ResponseErrorObject } from './errors.js';
export {
  ErrorObject,
  ErrorResponseMessage,
  NotificationMessage,
  RequestMessage,
  ResponseMessage,
  SuccessResponseMessage,
  classifyMessage,
  formatIssues,
  isErrorResponse,
  issuesData,
} from './messages.js';
export type { ClassifiedMessage, Message } from './messages.js';
export {
  EmptyParams,
  EventParams,
  HealthResult,
  HelloParams,
  RuntimeEvent,
  RuntimeInfo,
  RuntimeStateParams,
  ShutdownParams,
  ShutdownResult,
  SupervisorRequests,
  Welcome,
  WorkerNotifications,
  WorkerRequests,
  WorkspaceParams,
  WorkspaceResult,
} from './methods.js';
export type {
  NotificationSpec,
  ParamsOf,
  RequestSpec,
  ResultOf,
  SupervisorRequestMethod,
  SupervisorRequestSpec,
  WorkerNotificationMethod,
  WorkerNotificationSpec,
  WorkerRequestMethod,
  WorkerRequestSpec,
} from './methods.js';
export { LineReader, LineTooLongError } from './line-reader.js';
export type { LineReaderCloseInfo, LineReaderCloseReason, LineReaderOptions, LineResult } from './line-reader.js';
export { LineWriter } from './line-writer.js';
export type { LineWriteResult } from './line-writer.js';
export { Connection } from './connection.js';
export type { CloseInfo, CloseReason, ConnectionLogger, ConnectionOptions, RequestOptions } from './connection-options.js';
export { REQUEST_CHANNEL, onSettledRequest } from './request-channel.js';
export type { SettledRequest } from './request-channel.js';
export { SlugSchema, isValidSlug, slugKey, slugProblem } from './slug.js';
export { AGENT_STAGES, AgentSpec, GithubLabels, PIPELINE_DEFAULTS, PIPELINE_ENV, PipelineSettings, StageSettings } from './pipeline-settings.js';
export type { AgentStage } from './pipeline-settings.js';

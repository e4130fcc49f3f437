// @square-customers/core: the models and operations of Square's Customers API, generated from the
// official spec, and the rules every client of it shares. No runtime dependencies.
//
// Exports are listed by name, so this file is the public surface. Helpers that only tools built on core
// need (the emulator, the CLI: query-string parsing, bulk-entry splitting, the constraint table, format
// checks) are in the `@square-customers/core/tooling` subpath instead.
export {
  type Attempt,
  type AttemptOutcome,
  type CallFailure,
  describeTransportError,
  type FailureKind,
  formatFailure,
  interpretAttempt,
  invalidRequestFailure,
  isRetryableFailure,
  type TransportFailure,
} from "./attempt.js";
export {
  baseUrlFor,
  checkAccessToken,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENT_EXPECTED,
  ENVIRONMENTS,
  type Environment,
  type EnvironmentName,
  HEADERS,
  REQUEST_ID_HEADER,
  resolveBaseUrl,
  SQUARE_VERSION,
} from "./constants.js";
export {
  addToProgress,
  CREATE_MANY_DEFAULTS,
  CREATE_MANY_MAX_CHUNK,
  CREATE_MANY_MAX_CONCURRENCY,
  type CreateManyEntry,
  type CreateManyItem,
  type CreateManyProgress,
  type CreateManyResult,
  type CreateManySettings,
  createManyKey,
  createManySettings,
  type FailedCall,
  failureOutcome,
  InputOrder,
  type PlannedChunk,
  planChunk,
  resultsOfAnswer,
  resultsOfFailure,
} from "./create-many.js";
export { classifyError, type ErrorKind, issueToErrorDetail, squareErrorsOf } from "./errors.js";
export {
  type CustomerEventType,
  type CustomerWebhookEvent,
  customerEventTypes,
} from "./generated/events.js";
export type * from "./generated/models.js";
export { operations } from "./generated/operations.js";
export type * from "./generated/parameters.js";
export {
  contentIdempotencyKey,
  hasIdempotencyKey,
  newIdempotencyKey,
  withIdempotencyKey,
} from "./idempotency.js";
export {
  apiErrorMessage,
  formatFailureMessage,
  invalidRequestMessage,
  issueText,
  missingAccessTokenMessage,
  NOT_HTTPS_DETAIL,
  transportFailureMessage,
} from "./messages.js";
export { type MethodArgs, type MethodTree, methodNames, splitMethodArgs } from "./method-names.js";
export * from "./mirror/index.js";
export { isOperationName, operation } from "./operation.js";
export type { OperationDefinition, QueryParamDefinition, RetryClass } from "./operation-definition.js";
export { nextCursor, pageItems, withCursor } from "./paging.js";
export {
  bodyText,
  callerHeaders,
  clientHeaders,
  JSON_MEDIA_TYPE,
  type PreparedCall,
  prepareCall,
  serializeDates,
} from "./prepare-call.js";
export { MIN_REDACTED_LENGTH, REDACTED, type Redactor, redactHeaders, redactor } from "./redaction.js";
export { buildRequest, pathWithQuery, type RequestParts } from "./request.js";
export { type FieldType, type Shape, shapeProblem } from "./response-check.js";
export {
  canRetry,
  checkMaxRetries,
  DEFAULT_MAX_RETRIES,
  honourRetryAfter,
  isRetryableStatus,
  parseRetryAfter,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  type RetryDelayOptions,
  retryDelay,
} from "./retry.js";
export type * from "./types.js";
export { type ValidationIssue, validateRequest } from "./validation.js";
export {
  parseWebhookEvent,
  type UnknownWebhookEvent,
  unwrapWebhook,
  verifyWebhookSignature,
  WEBHOOK_ACCEPTED,
  WEBHOOK_FAILURE_REASONS,
  WEBHOOK_HANDLER_FAILED,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_REFUSAL_STATUS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookAnswer,
  type WebhookEvent,
  type WebhookFailureReason,
  type WebhookOutcome,
  type WebhookSignatureInput,
  webhookRefusal,
  webhookRefused,
  webhookSignature,
} from "./webhooks.js";

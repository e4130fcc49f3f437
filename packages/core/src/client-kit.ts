// @square-customers/core/client-kit: what a client of Square's API needs to send a call, and nothing a
// plain call does not use, so a client that imports it loads only this: prepare a call (idempotency key,
// validation, request parts, retry safety), put it on the wire (headers, body text, URL), judge each
// attempt (success, which failure, whether another attempt may be made), wait before the next one, and
// page. Both clients are interpreters of these decisions; a third flavor would be too.
// `createMany`'s planning is a separate entry, `./client-kit/create-many`, loaded when first used.
export {
  type Attempt,
  type AttemptOutcome,
  type CallFailure,
  describeTransportError,
  type FailureKind,
  interpretAttempt,
  invalidRequestFailure,
  optional,
} from "./call/attempt.js";
export { contentIdempotencyKey } from "./call/content-key.js";
export { type ErrorKind, squareErrorsOf } from "./call/errors.js";
export { missingAccessTokenMessage, type TransportFailure } from "./call/messages.js";
export { nextCursor, pageItems, withCursor } from "./call/paging.js";
export { loadRequestRules, type PreparedCall, prepareCall } from "./call/prepare.js";
export { type Redactor, redactHeaders, redactor } from "./call/redaction.js";
export { pathWithQuery, type RequestParts } from "./call/request.js";
export {
  checkMaxRetries,
  DEFAULT_MAX_RETRIES,
  honourRetryAfter,
  RETRY_BASE_MS,
  RETRY_MAX_MS,
  type RetryDelayOptions,
  retryDelay,
} from "./call/retry.js";
export {
  baseUrlFor,
  checkAccessToken,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENT_EXPECTED,
  type Environment,
  resolveBaseUrl,
} from "./call/settings.js";
export {
  bodyText,
  callerHeaders,
  clientHeaders,
  HEADERS,
  JSON_MEDIA_TYPE,
  SQUARE_VERSION,
} from "./call/wire.js";
export { type MethodArgs, type MethodTree, methodNames, splitMethodArgs } from "./table/method-names.js";
export { operation } from "./table/operation.js";
export type {
  InputOf,
  ItemOf,
  OperationName,
  PagedOperationName,
  PathArgs,
  ResponseOf,
} from "./table/types.js";
export type { ValidationIssue } from "./validation/issue.js";
export type { RequestRules } from "./validation/schema-node.js";

// @square-customers/core: the models and operations of Square's Customers API, generated from the
// official spec, and the rules that hold for anyone who talks to it: validation, error kinds, redaction,
// content keys, webhooks and the customer mirror. No runtime dependencies.
//
// Exports are listed by name, so this file is the public surface. The other entries:
// `./client-kit` (what a client needs to send a call: prepare it, judge each attempt, retry, page),
// `./client-kit/create-many` (createMany's planning, which the clients load when first used),
// `./tooling` (for tools that receive requests or read users' files) and `./mirror-sql` (the mirror's SQL).
export type { FailureKind } from "./call/attempt.js";
export { contentIdempotencyKey } from "./call/content-key.js";
export { classifyError, type ErrorKind, issueToErrorDetail } from "./call/errors.js";
export { NOT_HTTPS_DETAIL, type TransportFailure } from "./call/messages.js";
export { REDACTED, type Redactor, redactHeaders, redactor } from "./call/redaction.js";
export { ENVIRONMENTS, type Environment, type EnvironmentName } from "./call/settings.js";
export { REQUEST_ID_HEADER, SQUARE_VERSION } from "./call/wire.js";
export type {
  CreateManyItem,
  CreateManyProgress,
  CreateManyResult,
} from "./create-many/results.js";
export {
  type CustomerEventType,
  type CustomerWebhookEvent,
  customerEventTypes,
} from "./generated/events.js";
export type * from "./generated/models.js";
export { operations } from "./generated/operations.js";
export type * from "./generated/parameters.js";
export * from "./mirror/index.js";
export { shapeProblem } from "./shapes/shape-problem.js";
export { type MethodArgs, type MethodTree, methodNames } from "./table/method-names.js";
export { operation } from "./table/operation.js";
export type { OperationDefinition, QueryParamDefinition, RetryClass } from "./table/operation-definition.js";
export type * from "./table/types.js";
export { type ValidationIssue, validateRequest } from "./validation/validate.js";
export {
  WEBHOOK_ACCEPTED,
  WEBHOOK_FAILURE_REASONS,
  WEBHOOK_HANDLER_FAILED,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_REFUSAL_STATUS,
  type WebhookAnswer,
  type WebhookFailureReason,
  type WebhookRefusal,
  webhookRefusal,
  webhookRefused,
} from "./webhooks/answers.js";
export {
  parseWebhookEvent,
  type UnknownWebhookEvent,
  unwrapWebhook,
  type WebhookEvent,
  type WebhookOutcome,
} from "./webhooks/delivery.js";
export {
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookSignatureInput,
  webhookSignature,
} from "./webhooks/signature.js";

// @square-customers/client-effect: Square's Customers API as an Effect service, interpreting core's
// operations table with typed errors, Schedule retries, Stream paging and schema-checked responses.

export type {
  CustomerEventType,
  CustomerWebhookEvent,
  LoadSummary,
  MaybePromise,
  MirrorCheckpoint,
  MirrorEventResult,
  MirroredCustomer,
  MirrorMark,
  MirrorOutcome,
  MirrorProgress,
  MirrorStore,
  MirrorTransaction,
  ReconcileSummary,
  SyncResult,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookFailureReason,
} from "@square-customers/core";
export { MemoryMirrorStore, MIRROR_EVENT_TYPES, methodNames } from "@square-customers/core";
export { SquareClient, type SquareClientOptions, type SquareClientShape } from "./client.js";
export type { CreateMany, CreateManyItem, CreateManyOptions, CreateManyResult } from "./create-many.js";
export {
  errorKind,
  type SquareApiError,
  SquareBadRequest,
  type SquareClientError,
  SquareConflict,
  SquareDecodeError,
  SquareForbidden,
  SquareNotFound,
  SquareRateLimited,
  SquareRequestInvalid,
  SquareServerError,
  SquareTimeout,
  SquareTransportError,
  SquareUnauthorized,
} from "./errors.js";
export type * from "./generated/methods.js";
/** One Effect `Schema` per Square model, named like core's types (`Schemas.Customer`, …). */
export * as Schemas from "./generated/schemas.js";
export type { CallOptions, Method, MethodArgs, StreamMethod } from "./methods.js";
export { type CustomerMirror, type MirrorError, type MirrorOptions, makeMirror } from "./mirror.js";
export {
  type EffectMirrorStore,
  type EffectMirrorTransaction,
  fromPromiseStore,
  MirrorStoreError,
} from "./mirror-store.js";
export {
  defaultRetrySchedule,
  honourRetryAfter,
  type RetrySchedule,
  type RetryScheduleOptions,
} from "./retry.js";
export {
  decodeWebhook,
  type WebhookDelivery,
  WebhookError,
  type WebhookOptions,
  webhookHandler,
} from "./webhooks.js";

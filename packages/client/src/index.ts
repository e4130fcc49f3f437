export type {
  CustomerEventType,
  CustomerWebhookEvent,
  ErrorKind,
  FailureKind,
  InputOf,
  ItemOf,
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
  OperationName,
  ReconcileSummary,
  ResponseOf,
  SyncResult,
  TransportFailure,
  UnknownWebhookEvent,
  ValidationIssue,
  WebhookEvent,
  WebhookFailureReason,
  WebhookSignatureInput,
} from "@square-customers/core";
export {
  contentIdempotencyKey,
  MemoryMirrorStore,
  MIRROR_EVENT_TYPES,
  methodNames,
  verifyWebhookSignature,
} from "@square-customers/core";
export { ApiCall, type RawResponse, type WithResponse } from "./call.js";
export { createSquareClient, type SquareClient } from "./client.js";
export type {
  CreateManyItem,
  CreateManyOptions,
  CreateManyProgress,
  CreateManyResult,
} from "./create-many.js";
export {
  BadRequestError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  NotFoundError,
  RateLimitError,
  type RequestSummary,
  RequestValidationError,
  ResponseFormatError,
  ServerError,
  SquareApiError,
  SquareError,
  type SquareErrorKind,
  TimeoutError,
  UnauthorizedError,
} from "./errors.js";
export { createFetchWebhookHandler } from "./fetch-handler.js";
export type * from "./generated/methods.js";
export type * from "./generated/models.js";
export type { Method, MethodArgs, MethodResult } from "./methods.js";
export { type CustomerMirror, createMirror, type MirrorOptions, type MirrorRunOptions } from "./mirror.js";
export type { CallOptions, Logger, SquareClientOptions } from "./options.js";
export { type PageSource, Paginated } from "./paging.js";
export {
  type UnwrapOptions,
  unwrapDelivery,
  unwrapWebhook,
  type WebhookDelivery,
  WebhookVerificationError,
} from "./webhooks.js";

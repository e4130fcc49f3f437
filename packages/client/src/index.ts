// @square-customers/client: a promise client for Square's Customers API on ky. This entry is what a plain
// API call needs; the rest is behind subpaths, so a process that only calls the API never loads it:
// `/webhooks` (receiving deliveries), `/mirror` (the customer mirror), `/node` (webhooks on node:http),
// `/testing` (a client for a fresh emulator merchant). `customers.createMany` and `webhooks.unwrap` load
// their code the first time they are called.
export type {
  CustomerEventType,
  CustomerWebhookEvent,
  ErrorKind,
  FailureKind,
  InputOf,
  ItemOf,
  OperationName,
  ResponseOf,
  TransportFailure,
  UnknownWebhookEvent,
  ValidationIssue,
  WebhookEvent,
} from "@square-customers/core";
export { contentIdempotencyKey, methodNames } from "@square-customers/core/client-kit";
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
export type * from "./generated/methods.js";
export type * from "./generated/models.js";
export type { Method, MethodArgs, MethodResult } from "./methods.js";
export type { CallOptions, Logger, SquareClientOptions } from "./options.js";
export { type PageSource, Paginated } from "./paging.js";
export type { UnwrapOptions } from "./webhooks/unwrap.js";

// @square-customers/client-effect: Square's Customers API as an Effect service, interpreting core's
// operations table with typed errors, Schedule retries and Stream paging. This entry is what a plain API
// call needs; the rest is behind subpaths, so a program that only calls the API never loads it:
// `/webhooks` (receiving deliveries), `/mirror` (the customer mirror), `/sql` (the mirror's store on
// effect/sql), `/schemas` (an Effect Schema per model), `/testing` (a layer for a fresh emulator merchant).
export type { CustomerEventType, CustomerWebhookEvent, WebhookEvent } from "@square-customers/core";
export { methodNames } from "@square-customers/core/client-kit";
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
export type { CallOptions, Method, MethodArgs, StreamMethod } from "./methods.js";
export {
  defaultRetrySchedule,
  honourRetryAfter,
  type RetrySchedule,
  type RetryScheduleOptions,
} from "./retry.js";

// @square-customers/core/client-kit/create-many: `createMany`'s planning, for the clients, which load it
// the first time `customers.createMany` is called (a program that never imports customers in bulk never
// loads it): option checks, each item's key, per-item validation chunk by chunk, and what each item's
// result is after its bulk call answered or failed.
export { InputOrder } from "./input-order.js";
export { createManyKey, type PlannedChunk, planChunk } from "./plan.js";
export {
  addToProgress,
  type CreateManyEntry,
  type CreateManyItem,
  type CreateManyProgress,
  type CreateManyResult,
  type FailedCall,
  resultsOfAnswer,
  resultsOfFailure,
} from "./results.js";
export {
  CREATE_MANY_DEFAULTS,
  CREATE_MANY_MAX_CHUNK,
  CREATE_MANY_MAX_CONCURRENCY,
  type CreateManySettings,
  createManySettings,
} from "./settings.js";

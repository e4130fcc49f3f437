// @square-customers/core: the models and operations of Square's Customers API, generated from the
// official spec, and the rules every client of it shares. No runtime dependencies.
export * from "./constants.js";
export * from "./errors.js";
export type * from "./generated/models.js";
export { operations } from "./generated/operations.js";
export { requestSchemas } from "./generated/schemas.js";
export * from "./idempotency.js";
export * from "./method-names.js";
export type * from "./operation-definition.js";
export * from "./paging.js";
export * from "./request.js";
export * from "./retry.js";
export type * from "./schema-node.js";
export type * from "./types.js";
export * from "./validation.js";
export * from "./webhooks.js";

// @square-customers/client-effect/schemas: one Effect `Schema` per Square model, named like core's types
// (`Schemas.Customer`, `Schemas.ListCustomersResponse`, …), for decoding Square's data yourself. The client
// checks its answers with core's rule, not with these; a test holds them to accept exactly the same.
/** One Effect `Schema` per Square model, named like core's types (`Schemas.Customer`, …). */
export * as Schemas from "./generated/schemas.js";

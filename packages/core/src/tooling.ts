// @square-customers/core/tooling: the lower-level rules behind core's public surface, for tools built
// on core that receive requests or read users' files (the emulator, the `customers` CLI): reading a query
// string, splitting a bulk request's issues by entry, the request constraint table, and the format
// checks that `validateRequest` applies. Client code needs none of it.
export { type EntryIssues, entryMapField, splitEntryIssues } from "./bulk-entries.js";
export { requestSchemas } from "./generated/schemas.js";
export type { SchemaNode } from "./schema-node.js";
export {
  CUSTOMER_IDENTITY_FIELDS,
  isValidEmailAddress,
  isValidPhoneNumber,
  MAX_SEGMENT_IDS_IN_FILTER,
  normalizeBirthday,
  parseQuery,
  parseRfc3339,
} from "./validation.js";

// @square-customers/core/tooling: the lower-level rules behind core's public surface, for tools built
// on core that receive requests or read users' files (the emulator, the `customers` CLI): reading a query
// string, splitting a bulk request's issues by entry, the request constraint table, the format checks
// that `validateRequest` applies, reading files of customers (CSV and JSON, as the CLI exports them), and
// the "did you mean" rule for names a user typed. Client code needs none of it.

export { type CsvRecord, CsvRecordSplitter, MAX_RECORD_CHARS } from "./files/csv-records.js";
export {
  CustomerFileError,
  customerProblems,
  customerToRow,
  EXPORT_COLUMNS,
  flatFields,
  headerProblem,
  IGNORED_JSON_FIELDS,
  jsonToCustomer,
  READ_ONLY_COLUMNS,
  rowToCustomer,
  unknownColumns,
  WRITABLE_COLUMNS,
} from "./files/customer-file.js";
export { JsonArraySplitter, type JsonRecord } from "./files/json-records.js";
export { requestSchemas } from "./generated/schemas.js";
export { type EntryIssues, entryMapField, splitEntryIssues } from "./validation/bulk-entries.js";
export {
  isValidEmailAddress,
  isValidPhoneNumber,
  normalizeBirthday,
  parseRfc3339,
} from "./validation/formats.js";
export { parseQuery } from "./validation/query-params.js";
export type { SchemaNode } from "./validation/schema-node.js";
export { CUSTOMER_IDENTITY_FIELDS } from "./validation/square-rules.js";
export { closestName, didYouMean } from "./validation/suggest.js";

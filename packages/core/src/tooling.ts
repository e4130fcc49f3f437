// @square-customers/core/tooling: the lower-level rules behind core's public surface, for tools built
// on core that receive requests or read users' files (the emulator, the `customers` CLI): reading a query
// string, splitting a bulk request's issues by entry, the request constraint table, the format checks
// that `validateRequest` applies, reading files of customers (CSV and JSON, as the CLI exports them), and
// the "did you mean" rule for names a user typed. Client code needs
// none of it.
export { type EntryIssues, entryMapField, splitEntryIssues } from "./bulk-entries.js";
export { type CsvRecord, CsvRecordSplitter, MAX_RECORD_CHARS } from "./csv-records.js";
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
} from "./customer-file.js";
export {
  birthdayProblem,
  isValidEmailAddress,
  isValidPhoneNumber,
  normalizeBirthday,
  parseRfc3339,
} from "./formats.js";
export { requestSchemas } from "./generated/schemas.js";
export { JsonArraySplitter, type JsonRecord } from "./json-records.js";
export { parseQuery } from "./query-params.js";
export type { SchemaNode } from "./schema-node.js";
export { CUSTOMER_IDENTITY_FIELDS, ENUM_HINTS, MAX_SEGMENT_IDS_IN_FILTER } from "./square-rules.js";
export { closestName, didYouMean } from "./suggest.js";

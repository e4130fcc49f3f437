// What validation reports: one problem with a request. A module of its own so that every rule (the schema
// walk, query parameters, Square's prose rules, bulk entries) can name it without importing the others.
import type { ErrorCode } from "../generated/models.js";

/** One problem with a request: where (a dotted path in wire names), Square's error code, and why. */
export interface ValidationIssue {
  readonly field: string;
  readonly code: ErrorCode;
  readonly message: string;
}

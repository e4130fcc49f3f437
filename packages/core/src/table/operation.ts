// One row of the operations table by name, typed as the general definition every row satisfies: what every
// rule and both clients read (method, path, paging, retry class, …).
import { operations } from "../generated/operations.js";
import type { OperationDefinition } from "./operation-definition.js";
import type { OperationName } from "./types.js";

/** The row of the operations table for `name`, typed as the general definition every row satisfies. */
export function operation(name: OperationName): OperationDefinition {
  return operations[name];
}

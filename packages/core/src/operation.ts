import { operations } from "./generated/operations.js";
import type { OperationDefinition } from "./operation-definition.js";
import type { OperationName } from "./types.js";

/** The row of the operations table for `name`, typed as the general definition every row satisfies. */
export function operation(name: OperationName): OperationDefinition {
  return operations[name];
}

/** Whether `name` is an operation of the table (for names that arrive as text: config, CLI, HTTP). */
export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(operations, name);
}

// The friendly names both clients give the operations (`square.customers.groups.add(…)`), and the shape
// of a method's arguments. The names are a project choice kept in tools/codegen/src/method-names.ts, which
// also writes each client's method interfaces from them; everything else comes from the table.
import { operations } from "../generated/operations.js";
import type { OperationDefinition } from "./operation-definition.js";
import type { InputOf, OperationName, PathArgs } from "./types.js";

export { methodNames } from "../generated/method-names.js";

export interface MethodTree {
  readonly [key: string]: OperationName | MethodTree;
}

/** True when the operation takes neither a body nor query parameters. */
type TakesNoInput<N extends OperationName> = [keyof InputOf<N>] extends [never] ? true : false;

/**
 * A method's arguments: path parameters in path order, then the body or query object in wire names
 * (optional when it has no required field, absent when the operation takes none), then the client's
 * per-call options.
 */
export type MethodArgs<N extends OperationName, Options> =
  TakesNoInput<N> extends true
    ? [...PathArgs<N>, options?: Options]
    : {} extends InputOf<N>
      ? [...PathArgs<N>, input?: InputOf<N>, options?: Options]
      : [...PathArgs<N>, input: InputOf<N>, options?: Options];

/** The runtime side of `MethodArgs`: a method's arguments split into path arguments, input and options. */
export function splitMethodArgs<Options>(
  name: OperationName,
  args: readonly unknown[],
): { pathArgs: string[]; input: object | undefined; options: Options | undefined } {
  const op: OperationDefinition = operations[name];
  const count = op.pathParams.length;
  const takesInput = op.body !== null || Object.keys(op.query).length > 0;
  return {
    pathArgs: args.slice(0, count) as string[],
    input: takesInput ? (args[count] as object | undefined) : undefined,
    options: args[takesInput ? count + 1 : count] as Options | undefined,
  };
}

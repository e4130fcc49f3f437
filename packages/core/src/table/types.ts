// Types derived from the operations table and the generated parameter types: a client gets each
// operation's arguments and result by its name, so adding an operation to the spec needs no
// hand-written types.
import type { Models } from "../generated/models.js";
import type { operations } from "../generated/operations.js";
import type { PathParameters, QueryParameters } from "../generated/parameters.js";
import type { QueryParamDefinition } from "./operation-definition.js";

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type Operation<N extends OperationName> = Operations[N];

/** Path arguments, one string per path parameter, in path order, labeled (`[customer_id: string]`). */
export type PathArgs<N extends OperationName> = Labeled<PathParameters[N]>;
// A mapped type over a type parameter keeps the tuple's shape and labels (homomorphic), and lets types
// built on PathArgs compare structurally: a handler for two operations with the same path parameters
// serves as either one.
type Labeled<T extends readonly string[]> = { -readonly [I in keyof T]: T[I] };

/** The query parameters of an operation (`ListCustomersQuery`, …; `{}` when it takes none). */
export type QueryOf<N extends OperationName> = QueryParameters[N];

/** The request body of an operation (`never` when it takes none). */
export type BodyOf<N extends OperationName> = Operation<N>["body"] extends keyof Models
  ? Models[Operation<N>["body"]]
  : never;

/** What a caller passes after the path arguments: the body, or else the query parameters. */
export type InputOf<N extends OperationName> = Operation<N>["body"] extends keyof Models
  ? BodyOf<N>
  : QueryOf<N>;

/** Whether the input object may be left out (it has no required field). */
export type InputOptional<N extends OperationName> = {} extends InputOf<N> ? true : false;

export type ResponseOf<N extends OperationName> = Models[Operation<N>["response"]];

/** Names of the operations that page. */
export type PagedOperationName = {
  [N in OperationName]: Operation<N>["paging"] extends { items: string } ? N : never;
}[OperationName];

/** The items of one page of a paged operation. */
export type ItemOf<N extends PagedOperationName> = Operation<N>["paging"] extends {
  items: infer F extends string;
}
  ? NonNullable<ResponseOf<N>[F & keyof ResponseOf<N>]> extends ReadonlyArray<infer T>
    ? T
    : never
  : never;

export type { QueryParamDefinition };

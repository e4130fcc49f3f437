// Method types derived from core's table, by operation name. The client's own surface is the generated
// interfaces in generated/methods.ts (`CustomersMethods`, …), which spell the same signatures out with
// names and doc comments; the type tests prove the two agree.
import type {
  MethodArgs as CoreMethodArgs,
  ItemOf,
  OperationName,
  PagedOperationName,
  ResponseOf,
} from "@square-customers/core";
import type { ApiCall } from "./call.js";
import type { CallOptions } from "./options.js";
import type { Paginated } from "./paging.js";

/** A method's arguments: path parameters, then the body or query object, then per-call options. */
export type MethodArgs<N extends OperationName> = CoreMethodArgs<N, CallOptions>;

/** What a method returns: a lazy `Paginated` for paged operations, otherwise an `ApiCall`. */
export type MethodResult<N extends OperationName> = N extends PagedOperationName
  ? Paginated<ResponseOf<N>, ItemOf<N>>
  : ApiCall<ResponseOf<N>>;

export type Method<N extends OperationName> = (...args: MethodArgs<N>) => MethodResult<N>;

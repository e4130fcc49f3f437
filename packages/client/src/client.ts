import {
  methodNames,
  nextCursor,
  type OperationName,
  operations,
  type PagedOperationName,
  pageItems,
  splitMethodArgs,
  withCursor,
} from "@square-customers/core";
import { ApiCall } from "./call.js";
import {
  type CreateManyItem,
  type CreateManyOptions,
  type CreateManyResult,
  createMany,
} from "./create-many.js";
import type { CustomersMethods } from "./generated/methods.js";
import { Paginated } from "./paging.js";
import { type CallOptions, createSend, type Send, type SquareClientOptions } from "./transport.js";

type Methods = { readonly customers: CustomersMethods };

export interface SquareClient {
  readonly customers: Methods["customers"] & {
    /**
     * Create any number of customers through bulk-create, in chunks of up to 100, retried safely.
     * Resolves to one result per item, in input order.
     */
    createMany(
      items: Iterable<CreateManyItem> | AsyncIterable<CreateManyItem>,
      options?: CreateManyOptions,
    ): Promise<CreateManyResult[]>;
  };
}

/** A client for Square's Customers API: every operation of core's table under a friendly name. */
export function createSquareClient(options: SquareClientOptions): SquareClient {
  const send = createSend(options);
  const tree = buildTree(send, methodNames) as Methods;
  return {
    customers: {
      ...tree.customers,
      createMany: (items, createOptions) => createMany(send, items, createOptions),
    },
  };
}

function buildTree(send: Send, names: object): object {
  return Object.fromEntries(
    Object.entries(names).map(([key, value]) => [
      key,
      typeof value === "string" ? method(send, value as OperationName) : buildTree(send, value),
    ]),
  );
}

/** One method, interpreted from its row: how many path args, whether an input object follows, paging. */
function method(send: Send, name: OperationName) {
  const op = operations[name];
  return (...args: unknown[]) => {
    const { pathArgs, input, options: callOptions } = splitMethodArgs<CallOptions>(name, args);
    if (op.paging === null) return new ApiCall(send(name, pathArgs, input, callOptions));
    const paged = name as PagedOperationName;
    return new Paginated({
      fetch: (cursor) =>
        send(
          paged,
          pathArgs,
          cursor === undefined ? input : withCursor(paged, input ?? {}, cursor),
          callOptions,
        ),
      items: (page) => pageItems(paged, page),
      next: (page) => nextCursor(page),
    });
  };
}

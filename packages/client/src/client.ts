import type { WebhookEvent } from "@square-customers/core";
import {
  methodNames,
  nextCursor,
  type OperationName,
  operation,
  type PagedOperationName,
  pageItems,
  splitMethodArgs,
  withCursor,
} from "@square-customers/core/client-kit";
import { ApiCall, type WithResponse } from "./call.js";
import type { CreateManyItem, CreateManyOptions, CreateManyResult } from "./create-many.js";
import type { CustomersMethods, WebhooksMethods } from "./generated/methods.js";
import { createInterpreter, prepareAndSend, type Send } from "./interpreter.js";
import type { CallOptions, SquareClientOptions } from "./options.js";
import { Paginated } from "./paging.js";
import type { UnwrapOptions } from "./webhooks/unwrap.js";

type Methods = { readonly customers: CustomersMethods; readonly webhooks: WebhooksMethods };

export interface SquareClient {
  readonly customers: Methods["customers"] & {
    /**
     * Create any number of customers through bulk-create, in chunks of up to 100, retried safely. Each
     * item's idempotency key comes from its content unless you give your own, so running the same import
     * again creates nothing twice. Resolves to one result per item, in input order.
     */
    createMany(
      items: Iterable<CreateManyItem> | AsyncIterable<CreateManyItem>,
      options?: CreateManyOptions,
    ): Promise<CreateManyResult[]>;
  };
  readonly webhooks: Methods["webhooks"] & {
    /**
     * Verifies a delivery's signature and reads it into a typed event (`event.type` tells which; an event
     * type this package does not know is `type: "unknown"`, kept whole). Throws `WebhookVerificationError`
     * for a delivery that must not be applied.
     */
    unwrap(request: Request, options: UnwrapOptions): Promise<WebhookEvent>;
  };
}

/**
 * A client for Square's Customers API: every operation of core's table under a friendly name. What a
 * plain call never needs (createMany's planning, reading webhook deliveries) is loaded the first time it
 * is used, so a process that only calls the API never loads it.
 */
export function createSquareClient(options: SquareClientOptions): SquareClient {
  const send = createInterpreter(options);
  const tree = buildTree(send, methodNames) as Methods;
  return {
    customers: {
      ...tree.customers,
      createMany: async (items, createOptions) =>
        (await import("./create-many.js")).createMany(send, items, createOptions),
    },
    webhooks: {
      ...tree.webhooks,
      unwrap: async (request, unwrapOptions) =>
        (await import("./webhooks/unwrap.js")).unwrapWebhook(request, unwrapOptions),
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
  const paged = operation(name).paging !== null;
  return (...args: unknown[]) => {
    const { pathArgs, input, options } = splitMethodArgs<CallOptions>(name, args);
    if (!paged) return new ApiCall(prepareAndSend(send, name, pathArgs, input, options));
    return new Paginated({
      fetch: (cursor) => fetchPage(send, name as PagedOperationName, pathArgs, input, cursor, options),
      items: (page) => pageItems(name as PagedOperationName, page as never),
      next: (page) => nextCursor(page),
    });
  };
}

/** One page of a paged operation: the first (no cursor) or the one at `cursor`. */
function fetchPage(
  send: Send,
  name: PagedOperationName,
  pathArgs: readonly string[],
  input: object | undefined,
  cursor: string | undefined,
  options: CallOptions | undefined,
): Promise<WithResponse<unknown>> {
  const pageInput = cursor === undefined ? input : withCursor(name, input ?? {}, cursor);
  return prepareAndSend(send, name, pathArgs, pageInput, options);
}

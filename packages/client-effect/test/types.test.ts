// Type tests for the public surface (checked by `tsc -p test`); the runtime part checks the name map
// against core's table.
import {
  type Customer,
  type CustomerGroup,
  type OperationName,
  operations,
  type PagedOperationName,
  type RetrieveCustomerResponse,
} from "@square-customers/core";
import type { Effect, Stream } from "effect";
import { describe, expect, it } from "vitest";
import {
  type CallOptions,
  type Method,
  type MethodArgs,
  methodNames,
  type SquareClientError,
  type SquareClientShape,
  type StreamMethod,
} from "../src/index.js";

type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
const expectType = <_T extends true>() => {};

// The generated interfaces spell out exactly the signatures derived from core's table, `…Stream`
// included. An optional parameter written out also takes `undefined`, hence `Defined` on both sides.
type Defined<T extends readonly unknown[]> = { [I in keyof T]: Exclude<T[I], undefined> };
type SameFunction<G, F> = G extends (...args: infer A) => infer R
  ? F extends (...args: infer B) => infer S
    ? [Equals<Defined<A>, Defined<B>>, Equals<R, S>] extends [true, true]
      ? true
      : false
    : false
  : false;
type TreeAgrees<I, T> = {
  [K in keyof T]: T[K] extends OperationName
    ? SameFunction<I[K & keyof I], Method<T[K]>>
    : TreeAgrees<I[K & keyof I], T[K]>;
} & {
  [K in keyof T as T[K] extends PagedOperationName
    ? `${K & string}Stream`
    : never]: T[K] extends PagedOperationName
    ? SameFunction<I[`${K & string}Stream` & keyof I], StreamMethod<T[K]>>
    : never;
};
type EveryTrue<T> = { [K in keyof T]: T[K] extends boolean ? true : EveryTrue<T[K]> };
const agreement: EveryTrue<TreeAgrees<SquareClientShape, typeof methodNames>> = {} as TreeAgrees<
  SquareClientShape,
  typeof methodNames
>;

/** For each method of the tree: is its error channel exactly SquareClientError, with no requirements? */
type ChannelCheck<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Effect.Effect<unknown, infer E, infer R>
    ? [Equals<E, SquareClientError>, Equals<R, never>]
    : T[K] extends (...args: never[]) => Stream.Stream<unknown, infer E, infer R>
      ? [Equals<E, SquareClientError>, Equals<R, never>]
      : ChannelCheck<T[K]>;
};
type AllTrue<T> = { [K in keyof T]: T[K] extends [boolean, boolean] ? [true, true] : AllTrue<T[K]> };
type Customers = Omit<SquareClientShape["customers"], "createMany">;
const channels: AllTrue<ChannelCheck<Customers>> = {} as ChannelCheck<Customers>;

/** Never called: its body only has to type-check. */
export function typeChecks(square: SquareClientShape) {
  // Arguments: path parameters first, then the input object, then options.
  expectType<
    Equals<
      ReturnType<typeof square.customers.retrieve>,
      Effect.Effect<RetrieveCustomerResponse, SquareClientError>
    >
  >();
  square.customers.update("C1", { nickname: "AE", version: 3 });
  square.customers.groups.add("C1", "G1", { timeout: "5 seconds" });
  square.customers.customAttributes.retrieve("C1", "favorite_color", { with_definition: true });
  square.customers.list();
  square.customers.list({ limit: 10, sort_field: "CREATED_AT" });
  // Labeled path parameters, and the client's own call options.
  expectType<
    Equals<
      Parameters<typeof square.customers.groups.add>,
      [customer_id: string, group_id: string, options?: CallOptions | undefined]
    >
  >();
  expectType<
    Equals<Defined<MethodArgs<"listCustomers">>, Defined<Parameters<typeof square.customers.listStream>>>
  >();
  // What Square always returns needs no `!`; request times take a Date.
  const flow = (customer: Customer) => [
    square.customers.update(customer.id, { version: customer.version }),
    square.customers.search({ query: { filter: { updated_at: { start_at: new Date() } } } }),
  ];
  void flow;
  // @ts-expect-error the path parameter is required
  square.customers.retrieve();
  // @ts-expect-error create's body is required
  square.customers.groups.create();
  // @ts-expect-error an unknown query parameter
  square.customers.list({ limitt: 10 });
  // @ts-expect-error a query value of the wrong enum
  square.customers.list({ sort_field: "NAME" });

  // Streams yield the page items.
  expectType<Equals<Stream.Success<ReturnType<typeof square.customers.listStream>>, Customer>>();
  expectType<Equals<Stream.Success<ReturnType<typeof square.customers.groups.listStream>>, CustomerGroup>>();
  expectType<Equals<Stream.Success<ReturnType<typeof square.customers.searchStream>>, Customer>>();
  // @ts-expect-error retrieve does not page
  square.customers.retrieveStream;
  const imported = square.customers.createMany([{ given_name: "Ada" }]);
  expectType<Equals<Stream.Error<typeof imported>, SquareClientError>>();
}

/** Operation names in the friendly tree, depth first. */
const namesIn = (tree: object): string[] =>
  Object.values(tree).flatMap((v) => (typeof v === "string" ? [v] : namesIn(v as object)));

describe("public types", () => {
  it("name every operation in core's table exactly once", () => {
    const names = namesIn(methodNames);
    expect(names.length).toBe(39);
    expect([...names].sort()).toEqual(Object.keys(operations).sort() as OperationName[]);
    expect(channels).toBeDefined();
    expect(agreement).toBeDefined();
  });
});

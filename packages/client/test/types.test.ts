// Type tests: checked by `pnpm typecheck` (tsc -p test), including every `@ts-expect-error` line.
// At run time they only build a client, so no request is sent.
import * as core from "@square-customers/core";
import { describe, expectTypeOf, it } from "vitest";
// Models come from the client itself: installing it alone is enough.
import {
  type ApiCall,
  type CallOptions,
  type CreateCustomerResponse,
  type CreateManyResult,
  type Customer,
  type CustomerGroup,
  type CustomersMethods,
  contentIdempotencyKey,
  createSquareClient,
  type ListCustomersQuery,
  type ListCustomersResponse,
  type MethodArgs,
  type MethodResult,
  type methodNames,
  type OperationName,
  type Paginated,
  type RetrieveCustomerResponse,
  type SearchCustomersResponse,
  type SquareClient,
  type TimeRange,
  type UpdateCustomerRequest,
  type WithResponse,
} from "../src/index.js";
import { verifyWebhookSignature } from "../src/webhooks/index.js";

type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

// The generated interfaces spell out exactly the signatures derived from core's table. An optional
// parameter written out also takes `undefined` explicitly, hence the `Defined` on both sides.
type Defined<T extends readonly unknown[]> = { [I in keyof T]: Exclude<T[I], undefined> };
type Agrees<G, N extends OperationName> = G extends (...args: infer A) => infer R
  ? [Equals<Defined<A>, Defined<MethodArgs<N>>>, Equals<R, MethodResult<N>>] extends [true, true]
    ? true
    : false
  : false;
type TreeAgrees<I, T> = {
  [K in keyof T]: T[K] extends OperationName
    ? Agrees<I[K & keyof I], T[K]>
    : TreeAgrees<I[K & keyof I], T[K]>;
};
type AllTrue<T> = { [K in keyof T]: T[K] extends boolean ? true : AllTrue<T[K]> };
const agreement: AllTrue<TreeAgrees<SquareClient, typeof methodNames>> = {} as TreeAgrees<
  SquareClient,
  typeof methodNames
>;

const square = createSquareClient({ accessToken: "t", environment: "http://127.0.0.1:1" });

describe("types derived from core's table", () => {
  it("results are the response models", () => {
    expectTypeOf(square.customers.retrieve).returns.toEqualTypeOf<ApiCall<RetrieveCustomerResponse>>();
    expectTypeOf<
      Awaited<ReturnType<typeof square.customers.create>>
    >().toEqualTypeOf<CreateCustomerResponse>();
    expectTypeOf(square.customers.list).returns.toEqualTypeOf<Paginated<ListCustomersResponse, Customer>>();
    expectTypeOf(square.customers.search).returns.toEqualTypeOf<
      Paginated<SearchCustomersResponse, Customer>
    >();
    expectTypeOf<Awaited<ReturnType<typeof square.customers.groups.list>>["groups"]>().toEqualTypeOf<
      CustomerGroup[] | undefined
    >();
    expectTypeOf<ReturnType<ReturnType<typeof square.customers.retrieve>["withResponse"]>>().toEqualTypeOf<
      Promise<WithResponse<RetrieveCustomerResponse>>
    >();
    expectTypeOf(square.customers.createMany).returns.toEqualTypeOf<Promise<CreateManyResult[]>>();
  });

  it("options: console is a logger; ky hooks are accepted", () => {
    expectTypeOf(createSquareClient).toBeCallableWith({
      accessToken: "t",
      logger: console,
      environment: "sandbox",
    });
    expectTypeOf(createSquareClient).toBeCallableWith({
      accessToken: "t",
      environment: new URL("http://127.0.0.1:1"),
      hooks: { beforeRequest: [({ request }) => void request.headers.set("x-trace", "1")] },
    });
  });

  it("async iteration yields the paged item type", async () => {
    const loop = async () => {
      for await (const customer of square.customers.list()) expectTypeOf(customer).toEqualTypeOf<Customer>();
      for await (const page of square.customers.search({ limit: 10 }).pages()) {
        expectTypeOf(page).toEqualTypeOf<SearchCustomersResponse>();
      }
    };
    expectTypeOf(loop).toBeFunction();
  });

  it("arguments: path parameters, then the input in wire names, then options", () => {
    expectTypeOf(square.customers.retrieve).parameters.toEqualTypeOf<
      [customer_id: string, options?: CallOptions | undefined]
    >();
    expectTypeOf(square.customers.customAttributes.upsert).parameter(0).toBeString();
    expectTypeOf(square.customers.customAttributes.upsert).parameter(1).toBeString();
    expectTypeOf(square.customers.update).parameter(1).toExtend<{ given_name?: string | null } | undefined>();

    const never = () => {
      // @ts-expect-error camelCase is not a wire name
      square.customers.create({ givenName: "A" });
      // @ts-expect-error the path parameter is required
      square.customers.retrieve();
      // @ts-expect-error retrieve takes no input object, only options
      square.customers.retrieve("id", { given_name: "A" });
      // @ts-expect-error groups.add needs both ids
      square.customers.groups.add("customer");
      // @ts-expect-error limit is an integer
      square.customers.list({ limit: "10" });
      // @ts-expect-error sort_field is an enum
      square.customers.list({ sort_field: "NAME" });
      // @ts-expect-error bulk create needs its customers map
      square.customers.bulkCreate({});
      // @ts-expect-error no such method
      square.customers.get("id");
      // @ts-expect-error per-call options are typed
      square.customers.retrieve("id", { retries: 3 });
      // @ts-expect-error results are read-only models: no made-up fields
      square.customers.retrieve("id").then((r) => r.customer?.givenName);
    };
    expectTypeOf(never).toBeFunction();
  });
});

describe("generated method interfaces", () => {
  it("match the table's signatures, method by method", () => {
    expectTypeOf(agreement).toBeObject();
    expectTypeOf(square.customers).toExtend<CustomersMethods>();
  });

  it("name their parameters and inputs", () => {
    expectTypeOf(square.customers.groups.add).parameters.toEqualTypeOf<
      [customer_id: string, group_id: string, options?: CallOptions | undefined]
    >();
    expectTypeOf(square.customers.update).parameter(1).toEqualTypeOf<UpdateCustomerRequest | undefined>();
    expectTypeOf(square.customers.list).parameter(0).toEqualTypeOf<ListCustomersQuery | undefined>();
  });
});

describe("answers and dates", () => {
  it("what Square always returns needs no `!`", async () => {
    const flow = async () => {
      const { customer } = await square.customers.create({ given_name: "Amelia" });
      expectTypeOf(customer.id).toBeString();
      const { customer: updated } = await square.customers.update(customer.id, {
        nickname: "AE",
        version: customer.version,
      });
      expectTypeOf(updated.version).toBeNumber();
      const { group } = await square.customers.groups.create({ group: { name: "VIP" } });
      await square.customers.groups.add(customer.id, group.id);
    };
    expectTypeOf(flow).toBeFunction();
  });

  it("request times take a Date; answers keep strings", () => {
    const search = () =>
      square.customers.search({
        query: { filter: { created_at: { start_at: new Date(), end_at: "2025-01-01T00:00:00Z" } } },
      });
    expectTypeOf(search).toBeFunction();
    expectTypeOf<TimeRange["end_at"]>().toEqualTypeOf<string | Date | null | undefined>();
    expectTypeOf<Customer["created_at"]>().toEqualTypeOf<string>();
  });
});

describe("one package is enough", () => {
  it("re-exports core's models and the helpers the README mentions", () => {
    expectTypeOf<CreateCustomerResponse>().toEqualTypeOf<core.CreateCustomerResponse>();
    expectTypeOf(contentIdempotencyKey).toEqualTypeOf(core.contentIdempotencyKey);
    expectTypeOf(verifyWebhookSignature).toEqualTypeOf(core.verifyWebhookSignature);
  });
});

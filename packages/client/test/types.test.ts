// Type tests: checked by `pnpm typecheck` (tsc -p test), including every `@ts-expect-error` line.
// At run time they only build a client, so no request is sent.
import type {
  CreateCustomerResponse,
  Customer,
  CustomerGroup,
  ListCustomersResponse,
  RetrieveCustomerResponse,
  SearchCustomersResponse,
} from "@square-customers/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ApiCall,
  type CallOptions,
  type CreateManyResult,
  createSquareClient,
  type Paginated,
  type WithResponse,
} from "../src/index.js";

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
    expectTypeOf(square.customers.retrieve).parameters.toEqualTypeOf<[string, options?: CallOptions]>();
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

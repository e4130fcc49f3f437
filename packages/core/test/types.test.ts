// Type tests: checked by `tsc -p test` (the typecheck task); the runtime part only keeps vitest happy.
import { describe, expectTypeOf, it } from "vitest";
import type {
  BodyOf,
  Customer,
  InputOf,
  ItemOf,
  MethodArgs,
  Models,
  OperationName,
  PagedOperationName,
  PathArgs,
  QueryOf,
  ResponseOf,
  SquareErrorDetail,
} from "../src/index.js";

describe("types derived from the operations table", () => {
  it("requires customer_id for updateCustomer", () => {
    expectTypeOf<PathArgs<"updateCustomer">>().toEqualTypeOf<[string]>();
    expectTypeOf<PathArgs<"addGroupToCustomer">>().toEqualTypeOf<[string, string]>();
    expectTypeOf<PathArgs<"listCustomers">>().toEqualTypeOf<[]>();
    // @ts-expect-error the customer id is required
    const missing: PathArgs<"updateCustomer"> = [];
    void missing;
  });

  it("maps int64 to number", () => {
    expectTypeOf<NonNullable<Customer["version"]>>().toEqualTypeOf<number>();
    expectTypeOf<Customer["version"]>().toEqualTypeOf<number | undefined>();
  });

  it("derives bodies, queries, responses and items", () => {
    expectTypeOf<BodyOf<"createCustomer">>().toEqualTypeOf<Models["CreateCustomerRequest"]>();
    expectTypeOf<InputOf<"searchCustomers">>().toEqualTypeOf<Models["SearchCustomersRequest"]>();
    expectTypeOf<QueryOf<"listCustomers">>().toEqualTypeOf<{
      cursor?: string;
      limit?: number;
      sort_field?: "DEFAULT" | "CREATED_AT";
      sort_order?: "DESC" | "ASC";
      count?: boolean;
    }>();
    expectTypeOf<ResponseOf<"retrieveCustomer">>().toEqualTypeOf<Models["RetrieveCustomerResponse"]>();
    expectTypeOf<ItemOf<"searchCustomers">>().toEqualTypeOf<Customer>();
    expectTypeOf<ItemOf<"listCustomerGroups">>().toEqualTypeOf<Models["CustomerGroup"]>();
    expectTypeOf<Models["Error"]>().toEqualTypeOf<SquareErrorDetail>();
  });

  it("rejects unknown operation names", () => {
    expectTypeOf<"listCustomers">().toExtend<OperationName>();
    // @ts-expect-error not an operation
    type Unknown = PathArgs<"listCustomerz">;
    expectTypeOf<"retrieveCustomer">().not.toExtend<PagedOperationName>();
    const ok: OperationName = "bulkUpsertCustomerCustomAttributes";
    // @ts-expect-error not an operation
    const bad: OperationName = "listCustomerz";
    void [ok, bad, undefined as unknown as Unknown];
  });
});

describe("MethodArgs", () => {
  it("puts path parameters first, then the input, then options", () => {
    type Options = { signal?: AbortSignal };
    expectTypeOf<MethodArgs<"retrieveCustomer", Options>>().toEqualTypeOf<[string, options?: Options]>();
    expectTypeOf<MethodArgs<"listCustomers", Options>>().toEqualTypeOf<
      [input?: QueryOf<"listCustomers">, options?: Options]
    >();
    expectTypeOf<MethodArgs<"updateCustomer", Options>>().toEqualTypeOf<
      [string, input?: BodyOf<"updateCustomer">, options?: Options]
    >();
    expectTypeOf<MethodArgs<"createCustomerGroup", Options>>().toEqualTypeOf<
      [input: BodyOf<"createCustomerGroup">, options?: Options]
    >();
  });
});

// Type tests: checked by `tsc -p test` (the typecheck task); the runtime part only keeps vitest happy.
import { describe, expectTypeOf, it } from "vitest";
import type {
  BodyOf,
  BulkCreateCustomersResponse,
  CreateCustomerResponse,
  Customer,
  CustomerGroup,
  CustomerGroupInput,
  InputOf,
  ItemOf,
  ListCustomersQuery,
  MethodArgs,
  Models,
  Operation,
  OperationName,
  PagedOperationName,
  PathArgs,
  QueryOf,
  ResponseOf,
  SquareErrorDetail,
  TimeRange,
} from "../src/index.js";

/** Strict type equality: readonly, optionality and `| undefined` all count. */
type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

// The generated query types agree with the operations table, which validation reads at run time.
type ParamValue<P> = P extends { enum: readonly (infer E)[] }
  ? E
  : P extends { type: "integer" | "number" }
    ? number
    : P extends { type: "boolean" }
      ? boolean
      : string;
type Defs<N extends OperationName> = Operation<N>["query"];
type RequiredKeys<Q> = { [K in keyof Q]: Q[K] extends { required: true } ? K : never }[keyof Q];
type Flat<T> = { [K in keyof T]: T[K] } & {};
type QueryFromTable<N extends OperationName> = Flat<
  { [K in RequiredKeys<Defs<N>>]: ParamValue<Defs<N>[K]> } & {
    [K in Exclude<keyof Defs<N>, RequiredKeys<Defs<N>>>]?: ParamValue<Defs<N>[K]>;
  }
>;
const queriesAgree: { [N in OperationName]: true } = {} as {
  [N in OperationName]: Equals<Flat<QueryOf<N>>, QueryFromTable<N>>;
};
// Path parameters agree with the table too, in order.
type AsStrings<T extends readonly string[]> = { -readonly [I in keyof T]: string };
type PathFromTable<N extends OperationName> = AsStrings<Operation<N>["pathParams"]>;
const pathsAgree: { [N in OperationName]: true } = {} as {
  [N in OperationName]: Equals<PathArgs<N>, PathFromTable<N>>;
};

describe("types derived from the operations table", () => {
  it("requires customer_id for updateCustomer", () => {
    expectTypeOf<PathArgs<"updateCustomer">>().toEqualTypeOf<[customer_id: string]>();
    expectTypeOf<PathArgs<"addGroupToCustomer">>().toEqualTypeOf<[string, string]>();
    expectTypeOf<PathArgs<"listCustomers">>().toEqualTypeOf<[]>();
    // @ts-expect-error the customer id is required
    const missing: PathArgs<"updateCustomer"> = [];
    void missing;
  });

  it("labels path parameters, and agrees with the table on paths and queries", () => {
    expectTypeOf<PathArgs<"addGroupToCustomer">>().toEqualTypeOf<[customer_id: string, group_id: string]>();
    expectTypeOf<QueryOf<"listCustomers">>().toEqualTypeOf<ListCustomersQuery>();
    expectTypeOf(queriesAgree).toBeObject();
    expectTypeOf(pathsAgree).toBeObject();
  });

  it("maps int64 to number", () => {
    expectTypeOf<Customer["version"]>().toEqualTypeOf<number>();
    expectTypeOf<NonNullable<Models["Card"]["exp_year"]>>().toEqualTypeOf<number>();
  });

  it("derives bodies, queries, responses and items", () => {
    expectTypeOf<BodyOf<"createCustomer">>().toEqualTypeOf<Models["CreateCustomerRequest"]>();
    expectTypeOf<InputOf<"searchCustomers">>().toEqualTypeOf<Models["SearchCustomersRequest"]>();
    expectTypeOf<Flat<QueryOf<"listCustomers">>>().toEqualTypeOf<{
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

describe("fields Square always returns", () => {
  it("are required in answers", () => {
    expectTypeOf<Customer["id"]>().toEqualTypeOf<string>();
    expectTypeOf<Customer["created_at"]>().toEqualTypeOf<string>();
    expectTypeOf<Customer["creation_source"]>().toEqualTypeOf<Models["CustomerCreationSource"]>();
    expectTypeOf<CustomerGroup["id"]>().toEqualTypeOf<string>();
    expectTypeOf<CreateCustomerResponse["customer"]>().toEqualTypeOf<Customer>();
    expectTypeOf<ResponseOf<"retrieveCustomerSegment">["segment"]["name"]>().toEqualTypeOf<string>();
    // Other fields stay optional.
    expectTypeOf<Customer["given_name"]>().toEqualTypeOf<string | null | undefined>();
  });

  it("stay optional in requests and in the entries of bulk answers", () => {
    expectTypeOf<BodyOf<"createCustomerGroup">["group"]>().toEqualTypeOf<CustomerGroupInput>();
    expectTypeOf<CustomerGroupInput["id"]>().toEqualTypeOf<string | undefined>();
    const group: CustomerGroupInput = { name: "VIP" };
    // @ts-expect-error an answer's group always has its id
    const answered: CustomerGroup = { name: "VIP" };
    expectTypeOf<BulkCreateCustomersResponse["responses"][string]>().toEqualTypeOf<
      Partial<CreateCustomerResponse>
    >();
    void [group, answered];
  });

  it("feed an update's version without a `!`, under exactOptionalPropertyTypes", () => {
    const update = (customer: Customer): BodyOf<"updateCustomer"> => ({
      nickname: "AE",
      version: customer.version,
    });
    expectTypeOf(update).toBeFunction();
  });
});

describe("dates", () => {
  it("request times take a Date or a string; answers hold strings", () => {
    expectTypeOf<TimeRange["start_at"]>().toEqualTypeOf<string | Date | null | undefined>();
    const search: InputOf<"searchCustomers"> = {
      query: { filter: { created_at: { start_at: new Date(), end_at: "2025-01-01T00:00:00Z" } } },
    };
    expectTypeOf<Customer["created_at"]>().toEqualTypeOf<string>();
    // @ts-expect-error Square sends times as strings
    const wrong: Customer["updated_at"] = new Date();
    void [search, wrong];
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

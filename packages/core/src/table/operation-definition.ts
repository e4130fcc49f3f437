/** How a query parameter is typed and bounded. */
export interface QueryParamDefinition {
  readonly type: "string" | "integer" | "number" | "boolean";
  readonly enum?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly required?: boolean;
}

/**
 * `safe`: may be sent again after any failure. `with-idempotency-key`: may be sent again only with the
 * same idempotency key. `never`: not repeated after it may have reached Square.
 */
export type RetryClass = "safe" | "with-idempotency-key" | "never";

/** One row of the operations table. */
export interface OperationDefinition {
  readonly operationId: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path template, `{name}` for each path parameter. */
  readonly path: string;
  /** Path parameters in the order they appear in the path. */
  readonly pathParams: readonly string[];
  readonly query: Readonly<Record<string, QueryParamDefinition>>;
  /** Name of the request body model, or null when the operation takes no body. */
  readonly body: string | null;
  /** Name of the response model. */
  readonly response: string;
  /** Where the cursor goes and which response field holds the items, for operations that page. */
  readonly paging: { readonly cursor: "query" | "body"; readonly items: string } | null;
  readonly retry: RetryClass;
  /** Body field carrying the idempotency key, when the operation has one. */
  readonly idempotencyKey: "idempotency_key" | null;
  readonly scope: "CUSTOMERS_READ" | "CUSTOMERS_WRITE" | null;
  readonly deprecated: boolean;
}

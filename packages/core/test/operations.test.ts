import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type MethodTree, methodNames, type OperationDefinition, operations } from "../src/index.js";

const spec = JSON.parse(
  readFileSync(new URL("../../../spec/customers.openapi.json", import.meta.url), "utf8"),
);
const table = operations as Record<string, OperationDefinition>;

describe("operations table", () => {
  const fromSpec = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      operationId: op.operationId as string,
      method: method.toUpperCase(),
      path,
    })),
  );

  it("covers exactly the 39 operations of spec/ (31 customers, 8 webhooks), with matching methods and paths", () => {
    expect(fromSpec).toHaveLength(39);
    expect(Object.keys(table)).toHaveLength(39);
    expect(Object.values(table).filter((row) => row.path.startsWith("/v2/webhooks/"))).toHaveLength(8);
    const rows = Object.values(table).map(({ operationId, method, path }) => ({ operationId, method, path }));
    expect(new Set(rows.map((r) => JSON.stringify(r)))).toEqual(
      new Set(fromSpec.map((r) => JSON.stringify(r))),
    );
  });

  it("keys each row by the camelCase operationId", () => {
    for (const [name, row] of Object.entries(table))
      expect(row.operationId).toBe(name[0]!.toUpperCase() + name.slice(1));
  });

  it("lists path parameters in path order", () => {
    for (const row of Object.values(table)) {
      expect(row.pathParams).toEqual([...row.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
    }
    expect(operations.deleteCustomerCard.pathParams).toEqual(["customer_id", "card_id"]);
  });

  it("never takes both a body and query parameters", () => {
    for (const row of Object.values(table)) {
      if (row.body !== null) expect(Object.keys(row.query)).toEqual([]);
    }
  });

  it("knows how every list and search pages", () => {
    const paged = Object.entries(table)
      .filter(([, row]) => row.paging)
      .map(([name, row]) => [name, row.paging]);
    expect(Object.fromEntries(paged)).toEqual({
      listCustomers: { cursor: "query", items: "customers" },
      searchCustomers: { cursor: "body", items: "customers" },
      listCustomerGroups: { cursor: "query", items: "groups" },
      listCustomerSegments: { cursor: "query", items: "segments" },
      listCustomerCustomAttributeDefinitions: { cursor: "query", items: "custom_attribute_definitions" },
      listCustomerCustomAttributes: { cursor: "query", items: "custom_attributes" },
      listWebhookSubscriptions: { cursor: "query", items: "subscriptions" },
    });
  });

  it("keeps the limits the spec states only in prose", () => {
    expect(operations.listCustomers.query.limit).toEqual({ type: "integer", min: 1, max: 100 });
    expect(operations.listCustomerGroups.query.limit).toEqual({ type: "integer", min: 1, max: 50 });
    expect(operations.listCustomerSegments.query.limit).toEqual({ type: "integer", min: 1, max: 50 });
    expect(operations.listWebhookSubscriptions.query.limit).toEqual({ type: "integer", min: 1, max: 100 });
  });

  it("classifies retries: creates need their key, everything else is safe", () => {
    const byClass = (cls: string) =>
      Object.entries(table)
        .filter(([, row]) => row.retry === cls)
        .map(([name]) => name)
        .sort();
    expect(byClass("with-idempotency-key")).toEqual([
      "createCustomer",
      "createCustomerCustomAttributeDefinition",
      "createCustomerGroup",
      "createWebhookSubscription",
      "updateWebhookSubscriptionSignatureKey",
      "upsertCustomerCustomAttribute",
    ]);
    expect(byClass("never")).toEqual([]);
    for (const row of Object.values(table)) {
      if (row.retry === "with-idempotency-key") expect(row.idempotencyKey).toBe("idempotency_key");
    }
    // A PUT may carry a key too, but is safe to repeat without one.
    expect(operations.updateCustomerCustomAttributeDefinition).toMatchObject({
      retry: "safe",
      idempotencyKey: "idempotency_key",
    });
  });

  it("marks the card endpoints deprecated and scopes reads and writes", () => {
    const deprecated = Object.entries(table)
      .filter(([, row]) => row.deprecated)
      .map(([name]) => name);
    expect(deprecated.sort()).toEqual(["createCustomerCard", "deleteCustomerCard"]);
    expect(operations.searchCustomers.scope).toBe("CUSTOMERS_READ");
    expect(operations.bulkDeleteCustomers.scope).toBe("CUSTOMERS_WRITE");
    // The Webhook Subscriptions API belongs to the application: it needs no customer scope.
    expect(operations.createWebhookSubscription.scope).toBeNull();
  });
});

describe("methodNames", () => {
  it("names every operation exactly once", () => {
    const names: string[] = [];
    const walk = (tree: MethodTree) => {
      for (const value of Object.values(tree)) {
        if (typeof value === "string") names.push(value);
        else walk(value);
      }
    };
    walk(methodNames);
    expect(names.sort()).toEqual(Object.keys(operations).sort());
  });
});

// The webhook part of Square's full spec (api.json) that this project uses: the Webhook Subscriptions API
// (every path under /v2/webhooks/) and the customer event schemas (those whose `x-webhook.event` starts
// with `customer.`), with every schema they refer to. It is added to the customers subset before the
// prose is stripped, so spec/customers.openapi.json stays the generator's one input.

type Json = Record<string, unknown>;

const REF_PREFIX = "#/components/schemas/";

/** `customers` (the customers subset) with the webhook paths and customer event schemas of `api` added. */
export function withWebhooks(customers: Json, api: Json): Json {
  const apiPaths = api.paths as Record<string, Json>;
  const apiSchemas = (api.components as { schemas: Record<string, Json> }).schemas;
  const paths = Object.fromEntries(
    Object.entries(apiPaths).filter(([path]) => path.startsWith("/v2/webhooks/")),
  );
  const events = Object.keys(apiSchemas).filter((name) => customerEventType(apiSchemas[name]!) !== undefined);
  const components = customers.components as { schemas: Record<string, Json> } & Json;
  const schemas: Record<string, Json> = { ...components.schemas };
  for (const name of closure(
    [...Object.values(paths), ...events.map((e) => apiSchemas[e]!)],
    events,
    apiSchemas,
  )) {
    schemas[name] ??= apiSchemas[name]!;
  }
  return {
    ...customers,
    paths: sortKeys({ ...(customers.paths as Json), ...paths }),
    components: { ...components, schemas: sortKeys(schemas) },
  };
}

/** The dotted event type of a customer event schema (`customer.created`), or undefined for any other. */
export function customerEventType(schema: Json): string | undefined {
  const event = (schema["x-webhook"] as { event?: unknown } | undefined)?.event;
  return typeof event === "string" && event.startsWith("customer.") ? event : undefined;
}

/** Every schema name reachable from `roots` (plus `named`), following `$ref`s but not into examples. */
function closure(roots: unknown[], named: string[], schemas: Record<string, Json>): string[] {
  const seen = new Set<string>(named);
  const stack = [...roots];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      stack.push(...value);
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (key === "example" || key === "examples" || key.startsWith("x-")) continue;
        if (key === "$ref" && typeof child === "string" && child.startsWith(REF_PREFIX)) {
          const name = child.slice(REF_PREFIX.length);
          if (!seen.has(name)) {
            seen.add(name);
            stack.push(schemas[name]);
          }
        } else {
          stack.push(child);
        }
      }
    }
  }
  return [...seen].sort();
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

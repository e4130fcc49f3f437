// Writes spec/customers.openapi.json: the upstream customers subset of Square's OpenAPI spec with every
// description, summary and example removed, so the generator's input holds facts only (paths,
// parameters, schemas, enums, limits, required, readOnly, nullable, deprecation, release status,
// endpoint errors).
//
// The webhook part (the Webhook Subscriptions API and the customer event schemas) is taken from the full
// spec and added first (webhook-subset.ts).
//
// Usage: node src/strip-spec.ts [customers-openapi.json api.json]
//        (default: ../shared/square-spec/customers-openapi.json and ../shared/square-spec/api.json)
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { repoRoot, specPath } from "./paths.ts";
import { withWebhooks } from "./webhook-subset.ts";

/** Keywords that carry prose or sample data rather than facts. */
const PROSE_KEYS = new Set([
  "description",
  "summary",
  "example",
  "examples",
  "externalDocs",
  "termsOfService",
  "contact",
  "tags",
  "x-sq-sdk-sample-code",
  "x-params-example",
  "x-enum-elements",
]);

/** Keywords whose value is a map from names (property names, paths, schema names) to definitions. */
const NAME_MAPS = new Set(["properties", "paths", "schemas", "responses", "content", "securitySchemes"]);

export function stripSpec(upstream: Record<string, unknown>): Record<string, unknown> {
  const { "x-apis": _apis, ...components } = upstream.components as Record<string, unknown>;
  return strip({ ...upstream, components }, false) as Record<string, unknown>;
}

function strip(value: unknown, isNameMap: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => strip(item, false));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isNameMap && PROSE_KEYS.has(key)) continue;
    // OAuth scope values are prose; the scope names are the facts.
    if (!isNameMap && key === "scopes" && child && typeof child === "object") {
      out[key] = Object.fromEntries(Object.keys(child).map((scope) => [scope, ""]));
      continue;
    }
    out[key] = strip(child, !isNameMap && NAME_MAPS.has(key));
  }
  return out;
}

/** Where the upstream spec files are by default: the shared folder beside the repository. */
export const upstreamPaths = {
  customers: resolve(repoRoot, "../shared/square-spec/customers-openapi.json"),
  api: resolve(repoRoot, "../shared/square-spec/api.json"),
};

if (import.meta.main) {
  const customers = resolve(process.argv[2] ?? upstreamPaths.customers);
  const api = resolve(process.argv[3] ?? upstreamPaths.api);
  const stripped = stripSpec(
    withWebhooks(JSON.parse(readFileSync(customers, "utf8")), JSON.parse(readFileSync(api, "utf8"))),
  );
  writeFileSync(specPath, `${JSON.stringify(stripped, null, 2)}\n`);
  console.log(`wrote ${specPath}`);
}

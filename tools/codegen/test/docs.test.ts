// The doc comments the generator writes: one on every model field and query parameter, built from the
// spec's facts and this project's facts files; and one on every client method.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateCore } from "../src/generate-core.ts";
import { generateMethodInterfaces } from "../src/method-interfaces.ts";
import type { OpenApiDocument } from "../src/openapi.ts";
import { specPath } from "../src/paths.ts";

const doc = JSON.parse(readFileSync(specPath, "utf8")) as OpenApiDocument;
const core = generateCore(doc);

/** The doc comment right above `field` in the declaration of `model` (unformatted generator output). */
function docOf(source: string, model: string, field: string): string {
  const body = new RegExp(`export (?:type|interface) ${model} =? ?\\{\\n([\\s\\S]*?)\\n\\}`).exec(
    source,
  )?.[1];
  if (!body) throw new Error(`no ${model}`);
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\n${field}\\??:`).exec(body);
  if (!match) throw new Error(`no doc comment on ${model}.${field}`);
  return flat(match[1]!).trim();
}

/** Comment text with its line breaks and leading `*`s folded away. */
function flat(text: string): string {
  return text.replace(/\s*\n\s*\*(?!\/)\s?/g, " ").replace(/ {2,}/g, " ");
}

describe("field docs", () => {
  it("are on every field of every model and every query parameter", () => {
    const maps = new Set(["Models", "PathParameters", "QueryParameters"]);
    for (const file of ["models.ts", "parameters.ts"]) {
      const declarations = [
        ...core[file]!.matchAll(/export (?:type|interface) (\w+) =? ?\{\n([\s\S]*?)\n\}/g),
      ];
      const lines = declarations
        .filter(([, name]) => !maps.has(name!))
        .flatMap(([, , body]) => body!.split("\n"));
      const fields = lines.flatMap((line, i) => (/^[a-z_"][\w"]*\??: /.test(line) ? [i] : []));
      expect(fields.length).toBeGreaterThan(file === "models.ts" ? 200 : 10);
      const bare = fields.filter((i) => !lines[i - 1]?.trimEnd().endsWith("*/")).map((i) => lines[i]);
      expect(bare).toEqual([]);
    }
  });

  it("state limits, and how to clear a field on an update", () => {
    expect(docOf(core["models.ts"]!, "UpdateCustomerRequest", "given_name")).toBe(
      "At most 300 characters. Optional: leave it out to keep the current value, send `null` to clear it.",
    );
    expect(docOf(core["models.ts"]!, "CreateCustomerRequest", "given_name")).toBe(
      "At most 300 characters. Optional.",
    );
    expect(docOf(core["parameters.ts"]!, "ListCustomersQuery", "limit")).toBe(
      "Integer. From 1 to 100. Optional.",
    );
  });

  it("state formats, allowed values, read-only fields and what Square always returns", () => {
    expect(docOf(core["models.ts"]!, "TimeRange", "start_at")).toBe(
      "An RFC 3339 date and time, such as `2025-05-01T09:30:00Z`. A `Date` is accepted too and sent as its " +
        "ISO string. Optional; may be `null`.",
    );
    expect(docOf(core["models.ts"]!, "Customer", "created_at")).toBe(
      "An RFC 3339 date and time, such as `2025-05-01T09:30:00Z`. Always present. Read-only: set by Square, " +
        "ignored in requests.",
    );
    expect(docOf(core["models.ts"]!, "CustomerSort", "order")).toBe(
      "One of `DESC`, `ASC`. Optional; may be `null`.",
    );
    expect(docOf(core["models.ts"]!, "CustomerGroupInput", "id")).toContain("Optional.");
    expect(docOf(core["models.ts"]!, "CustomerGroup", "id")).toContain("Always present.");
  });
});

describe("method docs", () => {
  it("state the HTTP call, paging, retries and deprecation", () => {
    const promise = flat(generateMethodInterfaces(doc, "promise"));
    expect(promise).toContain("Update customer: `PUT /v2/customers/{customer_id}`.");
    expect(promise).toContain("Paged by a `cursor` in the body");
    expect(promise).toContain("with the same `idempotency_key`");
    expect(promise).toContain("@deprecated Square has deprecated this endpoint.");
    // Every method, and every `…Stream` of the Effect client, right after its comment.
    const methodsOf = (source: string) => [...source.matchAll(/\*\/\n(\w+)\(/g)].length;
    expect(methodsOf(generateMethodInterfaces(doc, "promise"))).toBe(39);
    expect(methodsOf(generateMethodInterfaces(doc, "effect"))).toBe(39 + 7);
  });
});

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, specPath } from "../src/paths.ts";
import { stripSpec } from "../src/strip-spec.ts";

const upstreamPath = resolve(repoRoot, "../shared/square-spec/customers-openapi.json");

describe("stripSpec", () => {
  it("drops prose and examples but keeps facts, including a property named `description`", () => {
    const stripped = stripSpec({
      info: { title: "Square", description: "prose" },
      paths: {
        "/x": { get: { operationId: "X", summary: "s", description: "d", "x-release-status": "PUBLIC" } },
      },
      components: {
        "x-apis": { Customers: {} },
        schemas: {
          Thing: {
            type: "object",
            description: "prose",
            example: { a: 1 },
            properties: { description: { type: "string", maxLength: 255, description: "prose" } },
          },
        },
      },
    });
    expect(stripped).toEqual({
      info: { title: "Square" },
      paths: { "/x": { get: { operationId: "X", "x-release-status": "PUBLIC" } } },
      components: {
        schemas: {
          Thing: { type: "object", properties: { description: { type: "string", maxLength: 255 } } },
        },
      },
    });
  });

  it("is what spec/customers.openapi.json holds", { skip: !existsSync(upstreamPath) }, () => {
    const upstream = JSON.parse(readFileSync(upstreamPath, "utf8"));
    expect(stripSpec(upstream)).toEqual(JSON.parse(readFileSync(specPath, "utf8")));
  });
});

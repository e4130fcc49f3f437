import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { specPath } from "../src/paths.ts";
import { stripSpec, upstreamPaths } from "../src/strip-spec.ts";
import { withWebhooks } from "../src/webhook-subset.ts";

const upstreamAvailable = existsSync(upstreamPaths.customers) && existsSync(upstreamPaths.api);

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

  it("is what spec/customers.openapi.json holds", { skip: !upstreamAvailable }, () => {
    const read = (path: string) => JSON.parse(readFileSync(path, "utf8"));
    const expected = stripSpec(withWebhooks(read(upstreamPaths.customers), read(upstreamPaths.api)));
    expect(expected).toEqual(read(specPath));
  });
});

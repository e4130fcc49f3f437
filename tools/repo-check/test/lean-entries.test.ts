// What a plain API call loads (issue 20): each client's main entry takes, of core, the client kit (the
// Effect client also createMany's planning), and none of its own code for webhooks, the mirror, the Effect
// Schemas, SQL or tests, which sit behind subpaths or load when first used. And the promise client runs anywhere: nothing in its
// whole import graph is Node-only (only relative modules, core and ky, all the way down).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/blocks.ts";
import { importGraph } from "../src/import-graph.ts";

/** What a client's main entry makes load: its own files (relative to src/) and the packages it names. */
function mainEntryLoads(client: string) {
  const src = join(repoRoot, "packages", client, "src");
  const { files, packages } = importGraph(join(src, "index.ts"), { follow: new Set(), runtime: true });
  return {
    own: [...files].map((file) => file.slice(src.length + 1)).sort(),
    fromCore: [
      ...new Set(packages.map((p) => p.specifier).filter((s) => s.startsWith("@square-customers/"))),
    ],
  };
}

const NOT_FOR_A_PLAIN_CALL = /webhooks|mirror|create-many|schemas|sql|testing|node\.ts/;

describe("a client's main entry loads what a plain API call needs", () => {
  it("@square-customers/client: createMany and webhooks.unwrap load when first called", () => {
    const { own, fromCore } = mainEntryLoads("client");
    expect(fromCore).toEqual(["@square-customers/core/client-kit"]);
    expect(own.filter((file) => NOT_FOR_A_PLAIN_CALL.test(file))).toEqual([]);
    expect(own).toContain("interpreter.ts"); // it really walked the client
  });

  it("@square-customers/client-effect: createMany loads with the client (a lazy import costs bundles more)", () => {
    const { own, fromCore } = mainEntryLoads("client-effect");
    expect(fromCore.sort()).toEqual([
      "@square-customers/core/client-kit",
      "@square-customers/core/client-kit/create-many",
    ]);
    expect(own.filter((file) => NOT_FOR_A_PLAIN_CALL.test(file))).toEqual(["create-many.ts"]);
    expect(own).toContain("interpreter.ts");
  });
});

it("the promise client imports only relative modules, core and ky, all the way down", () => {
  const start = join(repoRoot, "packages/client/src/index.ts");
  const { files, packages } = importGraph(start, {
    follow: new Set(["@square-customers/core", "ky"]),
    runtime: false,
  });
  expect(packages.map(({ from, specifier }) => `${from}: ${specifier}`)).toEqual([]);
  expect(files.size).toBeGreaterThan(20); // it really walked into core and ky
});

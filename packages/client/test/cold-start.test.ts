// What Node loads for a plain API call: core's client kit comes from its Node build (a few files, see
// packages/core/scripts/node-build.mjs), not one file per module, and createMany's planning only with it.
// Counted, not timed: bench/client.ts times it. (That the main entry loads nothing of the webhooks, the
// mirror or createMany is checked in tools/repo-check/test/lean-entries.test.ts.)
import { execFileSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

/** The files of `@square-customers/core` a fresh Node process loads to run `code` (from this package). */
function coreFilesLoaded(code: string): string[] {
  const count = `
    import { registerHooks } from "node:module";
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    ${code};
    console.log(JSON.stringify(loaded.filter((url) => url.includes("/packages/core/"))));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", count], {
    cwd: resolve(here, ".."),
    encoding: "utf8",
  });
  return (JSON.parse(out) as string[]).map((url) => url.replace(/.*\/packages\/core\//, ""));
}

it("loads core's client kit from its Node build: a few files, not a file per module", () => {
  const files = coreFilesLoaded('await import("@square-customers/core/client-kit")');
  expect(files.every((file) => file.startsWith("dist/node/"))).toBe(true);
  expect(files.length).toBeLessThanOrEqual(3);
});

it("loads the request rules and createMany's planning only when asked, from the same build", () => {
  const kit = coreFilesLoaded('await import("@square-customers/core/client-kit")');
  const withRules = coreFilesLoaded(
    'const kit = await import("@square-customers/core/client-kit"); await kit.loadRequestRules()',
  );
  const withPlanning = coreFilesLoaded(
    'await import("@square-customers/core/client-kit"); await import("@square-customers/core/client-kit/create-many")',
  );
  for (const files of [withRules, withPlanning]) {
    expect(files.every((file) => file.startsWith("dist/node/"))).toBe(true);
    expect(files.slice(0, kit.length)).toEqual(kit); // the kit's files, then a few more, none twice
    expect(new Set(files).size).toBe(files.length);
    expect(files.length).toBeGreaterThan(kit.length);
    expect(files.length).toBeLessThanOrEqual(kit.length + 3);
  }
  expect(withPlanning).toContain("dist/node/create-many.js");
});

it("the Node build exports exactly what the module entries export", async () => {
  const names = (specifier: string) =>
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `console.log(Object.keys(await import(${JSON.stringify(specifier)})).join())`,
      ],
      { cwd: resolve(here, ".."), encoding: "utf8" },
    ).trim();
  const core = resolve(here, "../../core/dist");
  expect(names("@square-customers/core/client-kit")).toBe(names(`${core}/client-kit.js`));
  expect(names("@square-customers/core/client-kit/create-many")).toBe(names(`${core}/create-many/index.js`));
});

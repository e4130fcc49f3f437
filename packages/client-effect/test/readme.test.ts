// The README's example really runs: its first TypeScript block is executed with Node (type stripping)
// against the emulator, configured through the environment variables it documents.
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { assert, layer } from "@effect/vitest";
import { Effect } from "effect";
import { Emulator, newToken } from "./support.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

layer(Emulator.layer(), { excludeTestServices: true })("README", (it) => {
  it("the repository README shows the same example", () => {
    const own = readFileSync(join(packageDir, "README.md"), "utf8");
    const root = readFileSync(join(packageDir, "../../README.md"), "utf8");
    const rootBlock = /## The Effect client\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(root)?.[1];
    assert.strictEqual(rootBlock, /```ts\n([\s\S]*?)```/.exec(own)?.[1]);
  });

  it.effect("the example runs against the emulator", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator;
      const readme = readFileSync(join(packageDir, "README.md"), "utf8");
      const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
      assert.isString(example);
      // Inside the package, so that `@square-customers/client-effect` resolves to this package's build.
      const file = join(packageDir, "test", ".readme-example.tmp.ts");
      writeFileSync(file, example!);
      const { stdout } = yield* Effect.promise(() =>
        promisify(execFile)(process.execPath, [file], {
          env: { ...process.env, SQUARE_ACCESS_TOKEN: newToken(), SQUARE_ENVIRONMENT: emulator.url },
          timeout: 20_000,
        }),
      ).pipe(Effect.ensuring(Effect.sync(() => rmSync(file, { force: true }))));
      const lines = stdout.trim().split("\n");
      assert.match(lines[0]!, /^\S+ Amelia$/);
      assert.strictEqual(lines.at(-1), "not found (404)");
    }),
  );
});

// The built client really runs in Deno: a fresh `deno run` with network access to 127.0.0.1 only (no
// file, env or other permission) lists the emulator's customers across pages. The binary comes from
// the `deno` dev dependency's platform package; if it is missing, this test fails rather than skips.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { TOKEN, useEmulator } from "./support.js";

const h = useEmulator();
const cache = mkdtempSync(join(tmpdir(), "client-deno-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** The Deno executable of the platform package the `deno` npm package installed for this machine. */
function denoBinary(): string {
  const fromDeno = createRequire(createRequire(import.meta.url).resolve("deno/package.json"));
  const { platform, arch } = process;
  const target = platform === "linux" ? `linux-${arch}-glibc` : `${platform}-${arch}`;
  const dir = dirname(fromDeno.resolve(`@deno/${target}/package.json`));
  return join(dir, platform === "win32" ? "deno.exe" : "deno");
}

it("lists customers from the emulator under Deno, with the built client", async () => {
  const made: string[] = [];
  for (const given_name of ["Ada", "Bea", "Cy"]) {
    const { customer } = await h.square.customers.create({ given_name });
    made.push(customer!.id!);
  }
  const before = h.emulator.requests.listCustomers;
  const script = fileURLToPath(new URL("./deno-list.mjs", import.meta.url));
  const { stdout } = await promisify(execFile)(
    denoBinary(),
    ["run", "--allow-net=127.0.0.1", script, h.emulator.url, TOKEN],
    { env: { ...process.env, DENO_DIR: cache, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeout: 8_000 },
  );
  const result = JSON.parse(stdout) as { deno: string; ids: string[] };
  expect(result.deno).toMatch(/^\d+\.\d+\.\d+/);
  expect(result.ids.sort()).toEqual(made.sort());
  expect(h.emulator.requests.listCustomers - before).toBe(2); // two pages of at most two
}, 10_000);

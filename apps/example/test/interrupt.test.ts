// Ctrl-C, one rule for every command: it stops, prints what it did, and exits 130 (never dies by the
// signal), run directly or through `npm run customers`. Real child processes, real SIGINTs; the
// emulator answers slowly, so each command is caught mid-way. (Import and export are interrupted in
// import-export.test.ts, and on a terminal in terminal.test.ts.)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, collect, start, until } from "./support.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1", seed: 250 });
  emulator.faults.set([
    { kind: "latency", operations: ["listCustomers", "retrieveCustomer", "deleteCustomer"], latencyMs: 1500 },
  ]);
});

afterAll(() => emulator?.close());

/** Waits until the emulator has received `count` more requests of `operation`. */
function requestsOf(operation: "listCustomers" | "retrieveCustomer" | "deleteCustomer", count: number) {
  const target = emulator.requests[operation] + count;
  return until(() => emulator.requests[operation] >= target, `${count} ${operation} request(s)`);
}

describe("Ctrl-C", () => {
  it("list: stops between pages, closes its JSON, says how many it showed, exits 130", async () => {
    const running = start(["list", "--json", "--url", emulator.url], { token: "interrupt-list" });
    await requestsOf("listCustomers", 2); // the first page came; the second is on its way
    const result = await running.stop("SIGINT");
    expect(result.code, result.stderr).toBe(130);
    expect(JSON.parse(result.stdout)).toHaveLength(100);
    expect(result.stderr).toContain(
      `Interrupted: 100 of 250 customers shown before Ctrl-C, from ${emulator.url}`,
    );
  });

  it("delete: the one in flight may or may not be deleted, the rest are named as not attempted", async () => {
    const running = start(["delete", "a", "b", "c", "--url", emulator.url], { token: "interrupt-delete" });
    await requestsOf("deleteCustomer", 1);
    const result = await running.stop("SIGINT");
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain("Interrupted while deleting a: it may or may not have been deleted.");
    expect(result.stderr).toContain("Interrupted: 0 of 3 deleted; not attempted: b c.");
  });

  it("get, which has nothing to sum up: says so and exits 130", async () => {
    const running = start(["get", "someone", "--url", emulator.url], { token: "interrupt-get" });
    await requestsOf("retrieveCustomer", 1);
    const result = await running.stop("SIGINT");
    expect(result.code).toBe(130);
    expect(result.stderr).toBe("\nInterrupted.\n");
  });

  it("a second Ctrl-C quits at once, still with 130", async () => {
    const running = start(["list", "--url", emulator.url], { token: "interrupt-twice" });
    await requestsOf("listCustomers", 1);
    running.child.kill("SIGINT");
    await until(() => running.stderr().includes("Stopping…"), "the first Ctrl-C's note");
    const result = await running.stop("SIGINT");
    expect(result.code).toBe(130);
  });

  it("through `npm run customers`: the summary, then npm itself exits 130 (not killed by SIGINT)", {
    timeout: 120_000,
  }, async () => {
    const env = childEnv({ token: "interrupt-npm" });
    for (const key of Object.keys(env)) if (/^(npm_|pnpm_|INIT_CWD$)/i.test(key)) delete env[key];
    // Its own process group, as a shell gives a command: Ctrl-C signals the whole group.
    const npm = spawn("npm", ["run", "customers", "--", "list", "--json", "--url", emulator.url], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output = collect(npm);
    let signal: NodeJS.Signals | null = null;
    npm.on("exit", (_code, killedBy) => {
      signal = killedBy;
    });
    const before = emulator.requests.listCustomers;
    await until(() => emulator.requests.listCustomers >= before + 2, "the second page", 90_000);
    process.kill(-npm.pid!, "SIGINT");
    const result = await output.exited;
    expect(signal).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(JSON.parse(result.stdout)).toHaveLength(100);
    expect(result.stderr).toContain("Interrupted: 100 of 250 customers shown before Ctrl-C");
  });
});

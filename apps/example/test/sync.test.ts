// `customers sync` as a child process against an emulator in this process (its webhook retries scaled
// down): the first run loads in full and applies events live; Ctrl-C stops it cleanly with the
// subscription kept; a run stopped mid-stream resumes from its checkpoint without a full load; a forged
// delivery is refused; a mirror of one account refuses another. The mirror is then read from its SQLite
// file and compared field by field with the account.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSquareClient, type SquareClient } from "@square-customers/client";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMirror } from "../src/mirror-check.js";
import { SqliteMirrorStore } from "../src/mirror-store.js";
import { prepareWorkload, runWorkload } from "../src/mirror-workload.js";
import { run, start } from "./support.js";

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: "127.0.0.1", webhookRetryScale: 0.001 });
  dir = mkdtempSync(join(tmpdir(), "customers-sync-"));
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A merchant of its own: a token, a client, and a few customers. */
async function merchant(customers: number): Promise<{ token: string; square: SquareClient; ids: string[] }> {
  const token = `sync-test-${randomUUID()}`;
  const square = createSquareClient({ accessToken: token, environment: emulator.url });
  const made = await square.customers.createMany(
    Array.from({ length: customers }, (_, i) => ({
      given_name: `Synced${i}`,
      email_address: `s${i}@example.com`,
    })),
  );
  return { token, square, ids: made.map((r) => (r.outcome === "created" ? r.customer.id : "")) };
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const kind = (k: string) => (line: string) => line.startsWith("{") && parse(line).kind === k;

/** The mirror in `file` against the account: the differences, field by field (none when in sync). */
async function differences(file: string, square: SquareClient) {
  const store = new SqliteMirrorStore(file);
  try {
    return compareMirror(await square.customers.list().toArray(), [...store.customers()]);
  } finally {
    store.close();
  }
}

describe("customers sync", () => {
  it("loads in full, applies events live, refuses a forgery, and stops on Ctrl-C keeping its subscription", {
    timeout: 60_000,
  }, async () => {
    const { token, square } = await merchant(30);
    const db = join(dir, "live.sqlite");
    const sync = start(["sync", "--db", db, "--url", emulator.url, "--json", "--reconcile-every", "0"], {
      token,
    });
    const ready = parse(await sync.line(kind("ready")));
    expect(ready).toMatchObject({
      start: "full-load",
      listening: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(parse(await sync.line(kind("load")))).toMatchObject({ stage: "done", listed: 30, total: 30 });

    const setup = await prepareWorkload(square, 1);
    const live = (await square.customers.list().toArray()).map((c) => c.id);
    await runWorkload(square, setup, live, { changes: 40, seed: 1 });
    const forged = await fetch(ready.notificationUrl as string, {
      method: "POST",
      body: JSON.stringify({
        type: "customer.created",
        event_id: "forged",
        data: { object: { customer: { id: "EVIL" } } },
      }),
      headers: { "x-square-hmacsha256-signature": "Zm9yZ2Vk" },
    });
    expect(forged.status).toBe(401);
    await emulator.webhooks.whenIdle();

    const stopped = await sync.stop("SIGINT");
    expect(stopped.code, stopped.stderr).toBe(0);
    const last = parse(stopped.stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ kind: "stopped", reason: "stopped" });
    expect((last.events as { applied: number }).applied).toBeGreaterThan(30);
    expect(stopped.stdout).toMatch(/"kind":"event".*"outcome":"applied"/);
    expect(stopped.stdout).not.toContain("EVIL");
    const comparison = await differences(db, square);
    expect(comparison.differences).toEqual([]);
    expect(comparison.customers).toBe(live.length);
    // Kept for the next run.
    const { subscriptions } = await square.webhooks.subscriptions.list();
    expect(subscriptions?.map((s) => s.id)).toEqual([ready.subscriptionId]);
  });

  it("a mirror stopped mid-stream resumes from its checkpoint, without a full load, and catches up", {
    timeout: 90_000,
  }, async () => {
    const { token, square } = await merchant(20);
    const db = join(dir, "resume.sqlite");
    const args = [
      "sync",
      "--db",
      db,
      "--url",
      emulator.url,
      "--json",
      "--listen",
      `127.0.0.1:${await freePort()}`,
    ];
    const first = start(args, { token });
    expect(parse(await first.line(kind("ready")))).toMatchObject({ start: "full-load" });

    // Changes keep coming; the mirror is stopped while deliveries are in flight, and stays down for the
    // rest of them (Square's retries find nobody listening).
    const setup = await prepareWorkload(square, 2);
    const live = (await square.customers.list().toArray()).map((c) => c.id);
    let stoppedFirst: Promise<unknown> | undefined;
    await runWorkload(square, setup, live, {
      changes: 120,
      seed: 2,
      onChange: (_, done) => {
        if (done === 40) stoppedFirst = first.stop("SIGINT");
      },
    });
    const firstRun = (await stoppedFirst) as Awaited<ReturnType<typeof first.stop>>;
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toContain('"kind":"event"');
    expect((await differences(db, square)).differences).not.toEqual([]);

    const lists = emulator.requests.listCustomers;
    const second = start(args, { token });
    expect(parse(await second.line(kind("ready")))).toMatchObject({ start: "reconcile" });
    await emulator.webhooks.whenIdle();
    const secondRun = await second.stop("SIGINT");
    expect(secondRun.code, secondRun.stderr).toBe(0);
    expect(emulator.requests.listCustomers).toBe(lists);
    expect(secondRun.stdout).not.toContain('"kind":"load"');
    expect(secondRun.stdout).toContain('"kind":"event"');
    expect((await differences(db, square)).differences).toEqual([]);
  });

  it("prints one line per event and the counts when not --json", { timeout: 60_000 }, async () => {
    const { token, square, ids } = await merchant(3);
    const db = join(dir, "text.sqlite");
    const sync = start(["sync", "--db", db, "--url", emulator.url], { token });
    await sync.line((l) => l.includes("applying events live"), { stream: "stderr" });
    await square.customers.update(ids[0]!, { nickname: "Texty" });
    await emulator.webhooks.whenIdle();
    const line = await sync.line((l) => l.includes("customer.updated"));
    expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  customer\\.updated +${ids[0]}  v1 +applied$`));
    const stopped = await sync.stop("SIGINT");
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain("loaded 3 customers");
    expect(stopped.stderr).toMatch(
      /stopped: customers 3 · events 1 \(applied 1, stale 0, duplicate 0, ignored 0\)/,
    );
  });

  it("a --listen address in use exits 2 and says so", async () => {
    const { token } = await merchant(0);
    const busy = new URL(emulator.url);
    const result = await run(
      ["sync", "--db", join(dir, "busy.sqlite"), "--url", emulator.url, "--listen", `127.0.0.1:${busy.port}`],
      { token },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${busy.port}: EADDRINUSE`);
  });

  it("refuses to mix accounts: a mirror of one merchant with another token exits 2", async () => {
    const { token } = await merchant(1);
    const db = join(dir, "owned.sqlite");
    const first = start(["sync", "--db", db, "--url", emulator.url, "--json"], { token });
    await first.line(kind("ready"));
    expect((await first.stop("SIGINT")).code).toBe(0);
    const other = await run(["sync", "--db", db, "--url", emulator.url], { token: `${token}-other` });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("mirrors another account");
    expect(other.stderr).not.toContain(token);
  });
});

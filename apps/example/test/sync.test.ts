// `customers sync` as a child process against an emulator in this process (its webhook retries scaled
// down): the first run loads in full and applies events live; Ctrl-C stops it cleanly (exit 130) with the
// subscription kept; a run stopped mid-stream resumes from its checkpoint without a full load; a forged
// delivery is refused; two tokens share one database, kept apart; the signature key never lands in the
// database; --unsubscribe; a PostgreSQL --db; a file written by the earlier release is upgraded in place.
// The mirror is then read from its database and compared field by field with the account.
import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSquareClient, type SquareClient } from "@square-customers/client";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import { startPostgres, type TestPostgres } from "@square-customers/mirror-testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareMirror } from "../src/mirror-check.js";
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
async function differences(file: string, square: SquareClient, merchantId: string) {
  const store = SqliteMirrorStore.open(file);
  try {
    return compareMirror(await square.customers.list().toArray(), [...store.customers(merchantId)]);
  } finally {
    store.close();
  }
}

/** The merchant a running sync mirrors, from its `ready` line. */
async function readyOf(sync: ReturnType<typeof start>) {
  return parse(await sync.line(kind("ready"))) as {
    merchantId: string;
    notificationUrl: string;
    subscriptionId: string;
    start: string;
  };
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
    const ready = await readyOf(sync);
    expect(ready).toMatchObject({
      start: "full-load",
      listening: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(parse(await sync.line(kind("load")))).toMatchObject({ stage: "done", listed: 30, total: 30 });

    const setup = await prepareWorkload(square, 1);
    const live = (await square.customers.list().toArray()).map((c) => c.id);
    await runWorkload(square, setup, live, { changes: 40, seed: 1 });
    const forged = await fetch(ready.notificationUrl, {
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
    expect(stopped.code, stopped.stderr).toBe(130);
    const last = parse(stopped.stdout.trim().split("\n").at(-1)!);
    expect(last).toMatchObject({ kind: "stopped", reason: "stopped" });
    expect((last.events as { applied: number }).applied).toBeGreaterThan(30);
    expect(stopped.stdout).toMatch(/"kind":"event".*"outcome":"applied"/);
    expect(stopped.stdout).not.toContain("EVIL");
    const comparison = await differences(db, square, ready.merchantId);
    expect(comparison.differences).toEqual([]);
    expect(comparison.customers).toBe(live.length);
    // Kept for the next run.
    const { subscriptions } = await square.webhooks.subscriptions.list();
    expect(subscriptions?.map((s) => s.id)).toEqual([ready.subscriptionId]);
    // The signature key is in a key file only its owner reads, never in the database.
    const key = readFileSync(`${db}.webhook-key`, "utf8").trim();
    expect(key.length).toBeGreaterThan(10);
    expect(statSync(`${db}.webhook-key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(db).includes(key)).toBe(false);
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
    const { merchantId } = await readyOf(first);

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
    expect(firstRun.code, firstRun.stderr).toBe(130);
    expect(firstRun.stdout).toContain('"kind":"event"');
    expect((await differences(db, square, merchantId)).differences).not.toEqual([]);

    const lists = emulator.requests.listCustomers;
    const second = start(args, { token });
    expect(parse(await second.line(kind("ready")))).toMatchObject({ start: "reconcile" });
    await emulator.webhooks.whenIdle();
    const secondRun = await second.stop("SIGINT");
    expect(secondRun.code, secondRun.stderr).toBe(130);
    expect(emulator.requests.listCustomers).toBe(lists);
    expect(secondRun.stdout).not.toContain('"kind":"load"');
    expect(secondRun.stdout).toContain('"kind":"event"');
    expect(secondRun.stderr).toContain(
      "customers deleted while the mirror was down are removed as Square retries",
    );
    expect((await differences(db, square, merchantId)).differences).toEqual([]);
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
    expect(stopped.code).toBe(130);
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

  it("two tokens share one database: each merchant's mirror kept apart, each equal to its account", {
    timeout: 60_000,
  }, async () => {
    const [one, two] = [await merchant(4), await merchant(6)];
    const db = join(dir, "shared.sqlite");
    const merchants: string[] = [];
    for (const { token, square, ids } of [one, two]) {
      const sync = start(
        ["sync", "--db", db, "--url", emulator.url, "--json", "--key-file", join(dir, `${token}.key`)],
        { token },
      );
      merchants.push((await readyOf(sync)).merchantId);
      await square.customers.update(ids[0]!, { nickname: token.slice(-6) });
      await emulator.webhooks.whenIdle();
      expect((await sync.stop("SIGINT")).code).toBe(130);
    }
    expect(new Set(merchants).size).toBe(2);
    for (const [i, { square }] of [one, two].entries()) {
      const comparison = await differences(db, square, merchants[i]!);
      expect(comparison.differences).toEqual([]);
      expect(comparison.customers).toBe(i === 0 ? 4 : 6);
    }
  });

  it("--unsubscribe deletes the subscription and its key; the mirror stays", async () => {
    const { token, square } = await merchant(2);
    const db = join(dir, "unsubscribe.sqlite");
    const sync = start(["sync", "--db", db, "--url", emulator.url, "--json"], { token });
    const { merchantId } = await readyOf(sync);
    expect((await sync.stop("SIGINT")).code).toBe(130);
    const result = await run(["sync", "--db", db, "--url", emulator.url, "--unsubscribe"], { token });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/deleted webhook subscription wbhk_\w+ \(and its key\)/);
    expect((await square.webhooks.subscriptions.list()).subscriptions ?? []).toEqual([]);
    expect(existsSync(`${db}.webhook-key`)).toBe(false);
    expect((await differences(db, square, merchantId)).customers).toBe(2);
    const again = await run(["sync", "--db", db, "--url", emulator.url, "--unsubscribe"], { token });
    expect(again.stderr).toContain("nothing to delete");
  });

  it("a key file others can read is refused", async () => {
    const { token } = await merchant(0);
    const db = join(dir, "open-key.sqlite");
    const sync = start(["sync", "--db", db, "--url", emulator.url, "--json"], { token });
    await readyOf(sync);
    await sync.stop("SIGINT");
    const { chmodSync } = await import("node:fs");
    chmodSync(`${db}.webhook-key`, 0o644);
    const result = await run(["sync", "--db", db, "--url", emulator.url], { token });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("can be read by others (mode 644): run `chmod 600");
  });

  it("a run killed while creating its subscription is followed by one that gets the same subscription back", async () => {
    const { token, square } = await merchant(2);
    const db = join(dir, "interrupted.sqlite");
    const listen = `127.0.0.1:${await freePort()}`;
    // What a run killed right after Square created its subscription leaves: the pending idempotency key.
    const pending = { idempotencyKey: randomUUID(), notificationUrl: `http://${listen}/square/webhooks` };
    const { subscription } = await square.webhooks.subscriptions.create({
      idempotency_key: pending.idempotencyKey,
      subscription: {
        name: "customers sync",
        event_types: ["customer.created", "customer.updated", "customer.deleted"],
        notification_url: pending.notificationUrl,
      },
    });
    const store = SqliteMirrorStore.open(db);
    store.db.exec("CREATE TABLE customers_sync_settings (name text PRIMARY KEY, value text NOT NULL)");
    const fingerprint = createHash("sha256").update(token).digest("hex").slice(0, 16);
    store.db
      .prepare("INSERT INTO customers_sync_settings VALUES (?, ?)")
      .run(`pending-subscription:${fingerprint}`, JSON.stringify(pending));
    store.close();

    const sync = start(["sync", "--db", db, "--url", emulator.url, "--json", "--listen", listen], { token });
    const ready = await readyOf(sync);
    expect((await sync.stop("SIGINT")).code).toBe(130);
    expect(ready.subscriptionId).toBe(subscription.id);
    const { subscriptions } = await square.webhooks.subscriptions.list();
    expect(subscriptions?.map((s) => s.id)).toEqual([subscription.id]);
    expect(readFileSync(`${db}.webhook-key`, "utf8").trim()).toBe(subscription.signature_key);
  });

  it("--help names --url and --environment, not an embedded emulator sync cannot use", async () => {
    const help = await run(["sync", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain("an emulator started inside this command");
    expect(help.stdout).toContain("one of them is required");
    expect(help.stdout).toContain("--unsubscribe");
    expect(help.stdout).toContain("130 stopped (Ctrl-C)");
  });

  it("upgrades a file the earlier customers sync wrote, in place, and resumes without a full load", {
    timeout: 60_000,
  }, async () => {
    // The fixture: test/fixtures/legacy-sync (make.mjs says how it was made), the emulator's data with it.
    const fixtures = new URL("./fixtures/legacy-sync/", import.meta.url);
    const [emulatorFile, db] = [join(dir, "legacy-emulator.sqlite"), join(dir, "legacy.sqlite")];
    copyFileSync(new URL("emulator.sqlite", fixtures), emulatorFile);
    copyFileSync(new URL("mirror.sqlite", fixtures), db);
    const old = await startEmulator({
      port: 0,
      host: "127.0.0.1",
      db: emulatorFile,
      webhookRetryScale: 0.001,
    });
    try {
      const token = "legacy-fixture-token";
      const square = createSquareClient({ accessToken: token, environment: old.url });
      const sync = start(["sync", "--db", db, "--url", old.url, "--json"], { token });
      const ready = await readyOf(sync);
      expect(ready.start).toBe("reconcile");
      const stopped = await sync.stop("SIGINT");
      expect(stopped.code, stopped.stderr).toBe(130);
      expect(stopped.stderr).toContain("upgraded");
      expect(stopped.stderr).toContain("11 customers kept");
      expect(old.requests.listCustomers).toBe(0);
      expect((await differences(db, square, ready.merchantId)).differences).toEqual([]);
      // The old tables and the key that was stored beside the data are gone.
      const store = SqliteMirrorStore.open(db);
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      store.close();
      expect(tables.map((t) => t.name)).not.toContain("settings");
      const key = readFileSync(`${db}.webhook-key`, "utf8").trim();
      expect(readFileSync(db).includes(key)).toBe(false);
      const tombstones = SqliteMirrorStore.open(db);
      expect(tombstones.counts(ready.merchantId)).toEqual({ live: 11, deleted: 1 });
      tombstones.close();
    } finally {
      await old.close();
    }
  });
});

describe("customers sync --db postgres://…", () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("keeps the mirror in PostgreSQL, the key in a key file; a PostgreSQL --db without one is refused", {
    timeout: 60_000,
  }, async () => {
    const { token, square, ids } = await merchant(15);
    const url = await server.database("sync_cli");
    const refused = await run(["sync", "--db", url, "--url", emulator.url], { token });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("needs --key-file");
    expect(refused.stderr).not.toContain("mirror-tests");
    const keyFile = join(dir, "pg.key");
    const sync = start(["sync", "--db", url, "--url", emulator.url, "--json", "--key-file", keyFile], {
      token,
    });
    const { merchantId } = await readyOf(sync);
    await square.customers.update(ids[2]!, { nickname: "In Postgres" });
    await square.customers.delete(ids[3]!);
    await emulator.webhooks.whenIdle();
    expect((await sync.stop("SIGINT")).code).toBe(130);
    const pool = server.pool(url);
    const { rows } = await pool.query("SELECT customer FROM square_live_customers WHERE merchant_id = $1", [
      merchantId,
    ]);
    const comparison = compareMirror(
      await square.customers.list().toArray(),
      rows.map((r) => r.customer),
    );
    expect(comparison.differences).toEqual([]);
    expect(comparison.customers).toBe(14);
    const key = readFileSync(keyFile, "utf8").trim();
    const { rows: leaks } = await pool.query(
      "SELECT count(*)::int AS n FROM customers_sync_settings WHERE value LIKE $1",
      [`%${key}%`],
    );
    expect(leaks[0]?.n).toBe(0);
  });
});

// Snapshots: every merchant's state (or one merchant's) as a documented JSON file that an emulator loads
// at start. Taking, loading and taking again gives the same bytes; a loaded emulator goes on exactly as
// the original would (the same ids, times and idempotent answers); signature keys are left out unless
// asked for; a file of another format version is refused with a message saying why.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from "../src/data/snapshot.js";
import type { Emulator } from "../src/index.js";
import { type Api, client, createCustomer, emulator } from "./helpers.js";
import { receiver, verified } from "./receiver.js";

const dir = mkdtempSync(join(tmpdir(), "square-emulator-snapshot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const START = "2025-06-01T12:00:00.000Z";
const BOOLEAN = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.Boolean";

/** Gives a merchant one of everything a snapshot holds. */
async function populate(api: Api, notificationUrl: string) {
  const a = await createCustomer(api, {
    given_name: "Ada",
    email_address: "ada@example.com",
    idempotency_key: "k-ada",
  });
  const b = await createCustomer(api, { given_name: "Babbage", phone_number: "+15555550100" });
  const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "Engines" } } })).body
    .group;
  await api("PUT", `/v2/customers/${a.id}/groups/${group.id}`);
  await api("POST", "/v2/customers/custom-attribute-definitions", {
    body: { custom_attribute_definition: { key: "vip", schema: { $ref: BOOLEAN } } },
  });
  await api("POST", "/v2/customers/custom-attribute-definitions", {
    body: {
      custom_attribute_definition: {
        key: "tier",
        name: "Tier",
        description: "Loyalty tier",
        visibility: "VISIBILITY_READ_ONLY",
        schema: {
          $schema: "https://developer-production-s.squarecdn.com/meta-schemas/v1/selection.json",
          type: "array",
          items: { names: ["Gold", "Silver"] },
        },
      },
    },
  });
  await api("POST", `/v2/customers/${b.id}/custom-attributes/vip`, {
    body: { custom_attribute: { value: true } },
  });
  await api("POST", `/v2/customers/${a.id}/cards`, { body: { card_nonce: "cnon:card-nonce-ok" } });
  const subscription = (
    await api("POST", "/v2/webhooks/subscriptions", {
      body: {
        idempotency_key: "sub-1",
        subscription: {
          event_types: ["customer.created", "customer.updated"],
          notification_url: notificationUrl,
        },
      },
    })
  ).body.subscription;
  return { a, b, group, subscription };
}

const textOf = (file: string) => readFileSync(file, "utf8");

describe("a snapshot", () => {
  it("taken, loaded and taken again is the same file, byte for byte", async () => {
    const hook = await receiver();
    const first = await emulator({ clock: { mode: "manual", start: START }, seed: 3 });
    await populate(client(first, "snap-one"), hook.url);
    await first.clock.advance("1h");
    await populate(client(first, "snap-two"), hook.url);
    await first.webhooks.whenIdle();
    const fileA = join(dir, "round-a.json");
    await first.saveSnapshot(fileA);

    const second = await emulator({ clock: "manual", snapshot: fileA, seed: 3 });
    expect(second.clock.now().toISOString()).toBe(new Date(Date.parse(START) + 3_600_000).toISOString());
    const fileB = join(dir, "round-b.json");
    await second.saveSnapshot(fileB);
    expect(textOf(fileB)).toBe(textOf(fileA));
    // The object form is the file's content.
    expect(second.snapshot()).toEqual(JSON.parse(textOf(fileA)));

    // And the documented shape: one merchant per token, records in creation order.
    const snapshot = first.snapshot();
    expect(snapshot).toMatchObject({
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      secrets: "omitted",
    });
    expect(snapshot.clock).toEqual({ mode: "manual", now: "2025-06-01T13:00:00.000Z" });
    const one = snapshot.merchants.find((m) => m.id === first.merchantId("snap-one"))!;
    expect(one.customers.map((c) => c.given_name)).toEqual([...["Amelia", "Ben", "Chloé"], "Ada", "Babbage"]);
    expect(one.groups.map((g) => g.name)).toEqual(["Engines"]);
    expect(one.segments).toHaveLength(3);
    expect(one.customAttributeDefinitions.map((d) => d.key)).toEqual(["vip", "tier"]);
    expect(one.customAttributes).toEqual([
      {
        customerId: one.customers[4]!.id,
        customAttribute: expect.objectContaining({ key: "vip", value: true }),
      },
    ]);
    expect(one.cards).toEqual([
      expect.objectContaining({ customer_id: one.customers[3]!.id, last_4: "1111" }),
    ]);
    expect(one.webhookSubscriptions).toHaveLength(1);
    expect(one.idempotency.map((r) => r.scope)).toEqual(["createCustomer"]);
    expect(one.idSequence.next).toBeGreaterThan(0);
    // One record per line: Ada is a customer of each merchant, and the answer to an idempotency key.
    const lines = textOf(fileA).split("\n");
    expect(lines.filter((l) => l.includes('"given_name":"Ada"'))).toHaveLength(4);
  });

  it("goes on exactly as the original would: the same ids, times and idempotent answers", async () => {
    const hookA = await receiver();
    const hookB = await receiver();
    const original = await emulator({ clock: { mode: "manual", start: START } });
    await populate(client(original, "snap-continue"), hookA.url);
    const snapshot = original.snapshot({ secrets: "include" });
    const copy = await emulator({ clock: "manual", snapshot });

    // The copy delivers to its own receiver: point its subscription there.
    const apiA = client(original, "snap-continue");
    const apiB = client(copy, "snap-continue");
    const subscriptionId = snapshot.merchants[0]!.webhookSubscriptions[0]!.id;
    await apiB("PUT", `/v2/webhooks/subscriptions/${subscriptionId}`, {
      body: { subscription: { notification_url: hookB.url } },
    });
    await apiA("PUT", `/v2/webhooks/subscriptions/${subscriptionId}`, {
      body: { subscription: { notification_url: hookA.url } },
    });
    const steps = async (api: Api, e: Emulator) => {
      const out: unknown[] = [];
      out.push(
        (await api("POST", "/v2/customers", { body: { given_name: "Ada", idempotency_key: "k-ada" } })).body,
      );
      await e.clock.advance("5m");
      out.push((await api("POST", "/v2/customers", { body: { given_name: "Grace" } })).body);
      out.push((await api("POST", "/v2/customers/groups", { body: { group: { name: "Later" } } })).body);
      const list = (await api("GET", "/v2/customers", { query: { sort_field: "CREATED_AT" } })).body;
      out.push(list.customers.map((c: { id: string; version: number }) => [c.id, c.version]));
      await e.webhooks.whenIdle();
      return out;
    };
    const fromOriginal = await steps(apiA, original);
    const fromCopy = await steps(apiB, copy);
    expect(fromCopy).toEqual(fromOriginal);
    // The same events, with the same ids, signed with the same key (secrets were included).
    const key = snapshot.merchants[0]!.webhookSubscriptions[0]!.signature_key!;
    const eventsA = await Promise.all(hookA.deliveries.map((d) => verified(d, key, hookA.url)));
    const eventsB = await Promise.all(hookB.deliveries.map((d) => verified(d, key, hookB.url)));
    expect(eventsB.map((ev) => ev.event_id)).toEqual(eventsA.map((ev) => ev.event_id));
    expect(eventsB.map((ev) => ev.created_at)).toEqual(eventsA.map((ev) => ev.created_at));
  });

  it("loaded, searches as the original does (its indexes are built at load)", async () => {
    const hook = await receiver();
    const original = await emulator({ seed: 30 });
    const { a, group } = await populate(client(original, "snap-search"), hook.url);
    const copy = await emulator({ snapshot: original.snapshot() });
    const searches = [
      { filter: { email_address: { fuzzy: "example" } } },
      { filter: { email_address: { exact: "ada@example.com" } } },
      { filter: { phone_number: { fuzzy: "5555550" } } },
      { filter: { group_ids: { any: [group.id] } } },
      { filter: { segment_ids: { all: [`${original.merchantId("snap-search")}.LOYAL`] } } },
      { filter: { reference_id: { fuzzy: "SEED-1" } }, sort: { field: "CREATED_AT", order: "DESC" } },
    ];
    for (const query of searches) {
      const body = { query, limit: 100 };
      const ids = async (e: Emulator) =>
        ((await client(e, "snap-search")("POST", "/v2/customers/search", { body })).body.customers ?? []).map(
          (c: { id: string }) => c.id,
        );
      const expected = await ids(original);
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(await ids(copy), JSON.stringify(query)).toEqual(expected);
    }
    expect(
      (await client(copy, "snap-search")("GET", `/v2/customers/${a.id}`)).body.customer.group_ids,
    ).toEqual([group.id]);
  });

  it("of one merchant holds only that merchant", async () => {
    const e = await emulator();
    await createCustomer(client(e, "snap-mine"), { given_name: "Mine" });
    await createCustomer(client(e, "snap-theirs"), { given_name: "Theirs" });
    const mine = e.snapshot({ merchant: e.merchantId("snap-mine") });
    expect(mine.merchants.map((m) => m.id)).toEqual([e.merchantId("snap-mine")]);
    const loaded = await emulator({ snapshot: mine });
    const listed = (await client(loaded, "snap-mine")("GET", "/v2/customers")).body.customers;
    expect(listed.map((c: { given_name: string }) => c.given_name)).toEqual(["Mine"]);
    expect((await client(loaded, "snap-theirs")("GET", "/v2/customers")).body).toEqual({});
  });
});

describe("signature keys", () => {
  it("are left out by default; loading gives each subscription a new one, which a rotation shows", async () => {
    const hook = await receiver();
    const e = await emulator();
    const { subscription } = await populate(client(e, "snap-secret"), hook.url);
    const text = JSON.stringify(e.snapshot());
    expect(text).not.toContain(subscription.signature_key);
    expect(text).not.toContain("signature_key");

    const loaded = await emulator({ snapshot: e.snapshot() });
    const api = client(loaded, "snap-secret");
    // The creation's idempotent answer showed the key, so it is not in the snapshot: the same key
    // creates a new subscription rather than replaying a key the snapshot no longer has.
    const again = await api("POST", "/v2/webhooks/subscriptions", {
      body: {
        idempotency_key: "sub-1",
        subscription: { event_types: ["customer.created"], notification_url: hook.url },
      },
    });
    expect(again.body.subscription.id).not.toBe(subscription.id);
    await api("DELETE", `/v2/webhooks/subscriptions/${again.body.subscription.id}`);
    const rotated = await api("POST", `/v2/webhooks/subscriptions/${subscription.id}/signature-key`, {
      body: { idempotency_key: "rotate" },
    });
    const newKey = rotated.body.signature_key as string;
    expect(newKey).not.toBe(subscription.signature_key);
    await createCustomer(api, { given_name: "Signed" });
    const [delivery] = await hook.waitFor(1);
    expect((await verified(delivery!, newKey, hook.url)).type).toBe("customer.created");
  });

  it("are kept when asked for, and the answers that showed them too", async () => {
    const hook = await receiver();
    const e = await emulator();
    const { subscription } = await populate(client(e, "snap-keep"), hook.url);
    const snapshot = e.snapshot({ secrets: "include" });
    expect(snapshot.secrets).toBe("included");
    const loaded = await emulator({ snapshot });
    const api = client(loaded, "snap-keep");
    const again = await api("POST", "/v2/webhooks/subscriptions", {
      body: {
        idempotency_key: "sub-1",
        subscription: { event_types: ["customer.created", "customer.updated"], notification_url: hook.url },
      },
    });
    expect(again.body.subscription).toEqual(subscription);
    await createCustomer(api, { given_name: "Signed" });
    const [delivery] = await hook.waitFor(1);
    expect((await verified(delivery!, subscription.signature_key, hook.url)).type).toBe("customer.created");
  });
});

describe("a snapshot that cannot be loaded", () => {
  const valid = () =>
    JSON.parse(
      JSON.stringify({
        format: SNAPSHOT_FORMAT,
        version: 1,
        clock: { mode: "system" },
        secrets: "omitted",
        merchants: [],
      }),
    );
  const cases: Array<[string, unknown, RegExp]> = [
    ["is not JSON", "{ nope", /is not valid JSON/],
    ["is another file", { customers: [] }, /is not an emulator snapshot: it has no "format"/],
    [
      "is of an older version",
      { ...valid(), version: 0 },
      /format version 0: this emulator reads versions 1 to 1; version 1 is the first/,
    ],
    [
      "is of a newer version",
      { ...valid(), version: 2 },
      /format version 2, newer than this emulator reads \(1\)/,
    ],
    [
      "has a broken record",
      {
        ...valid(),
        merchants: [
          {
            id: "M",
            tokenHash: "h",
            createdAt: START,
            idSequence: { salt: "s", next: 0 },
            customers: [{ id: "C1", created_at: START, updated_at: "yesterday", version: 0 }],
            groups: [],
            segments: [],
            customAttributeDefinitions: [],
            customAttributes: [],
            cards: [],
            webhookSubscriptions: [],
            idempotency: [],
          },
        ],
      },
      /merchants\[0\]\.customers\[0\]\.updated_at: expected an RFC 3339 timestamp/,
    ],
  ];

  const merchant = (id: string, customerIds: string[]) => ({
    id,
    tokenHash: `hash-${id}-${customerIds.length}`,
    createdAt: START,
    idSequence: { salt: "s", next: 0 },
    customers: customerIds.map((c) => ({ id: c, created_at: START, updated_at: START, version: 0 })),
    groups: [],
    segments: [],
    customAttributeDefinitions: [],
    customAttributes: [],
    cards: [],
    webhookSubscriptions: [],
    idempotency: [],
  });
  cases.push(
    [
      "has two customers with one id",
      { ...valid(), merchants: [merchant("M", ["C1", "C2", "C1"])] },
      /merchants\[0\]\.customers\[2\]\.id: another customer of the merchant has the id C1/,
    ],
    [
      "has two merchants with one id",
      { ...valid(), merchants: [merchant("M", []), merchant("M", ["C1"])] },
      /merchants\[1\]\.id: another merchant has the same id/,
    ],
  );

  for (const [why, content, message] of cases) {
    it(`is refused when it ${why}, with a message saying so`, async () => {
      const file = join(dir, `bad-${why.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
      await expect(emulator({ snapshot: file })).rejects.toThrow(message);
      await expect(emulator({ snapshot: file })).rejects.toThrow(file);
    });
  }

  it("is refused by the command line with exit code 2, before it listens", async () => {
    const file = join(dir, "cli-newer.json");
    writeFileSync(file, JSON.stringify({ ...valid(), version: 7 }));
    const child = spawn(process.execPath, [bin, "--port", "0", "--snapshot", file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/format version 7, newer than this emulator reads/);
  });
});

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

describe("saving", () => {
  it("on close, after the requests in progress, to a file an emulator then starts from", async () => {
    const file = join(dir, "on-close.json");
    const e = await emulator({ saveSnapshotOnClose: file });
    const customer = await createCustomer(client(e, "snap-close"), { given_name: "Kept" });
    await e.close();
    const loaded = await emulator({ snapshot: file });
    const got = await client(loaded, "snap-close")("GET", `/v2/customers/${customer.id}`);
    expect(got.body.customer).toEqual(customer);
  });

  it("on exit from the command line (SIGTERM), and --snapshot starts from it", async () => {
    const file = join(dir, "on-exit.json");
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, [bin, "--port", "0", ...args], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const url = await new Promise<string>((resolve) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c;
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
      });
      return { child, url };
    };
    const first = await run(["--save-snapshot-on-exit", file, "--snapshot-secrets", "include"]);
    const created = await fetch(`${first.url}/v2/customers`, {
      method: "POST",
      headers: { authorization: "Bearer snap-cli", "content-type": "application/json" },
      body: JSON.stringify({ given_name: "Persisted" }),
    });
    const { customer } = (await created.json()) as { customer: { id: string } };
    first.child.kill("SIGTERM");
    const [code] = await once(first.child, "exit");
    expect(code).toBe(0);
    expect(JSON.parse(textOf(file))).toMatchObject({ format: SNAPSHOT_FORMAT, secrets: "included" });

    const second = await run(["--snapshot", file]);
    try {
      const got = await fetch(`${second.url}/v2/customers/${customer.id}`, {
        headers: { authorization: "Bearer snap-cli" },
      });
      expect(((await got.json()) as { customer: { given_name: string } }).customer.given_name).toBe(
        "Persisted",
      );
    } finally {
      second.child.kill("SIGTERM");
      await once(second.child, "exit");
    }
  });

  it("through the admin API (the dashboard's button), never with signature keys", async () => {
    const hook = await receiver();
    const e = await emulator();
    const { subscription } = await populate(client(e, "snap-admin"), hook.url);
    await createCustomer(client(e, "snap-admin-other"));
    const res = await fetch(`${e.url}/_emulator/snapshot`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="emulator-snapshot.json"');
    const text = await res.text();
    // The same file as emulator.saveSnapshot writes.
    const saved = join(dir, "admin.json");
    await e.saveSnapshot(saved);
    expect(text).toBe(textOf(saved));
    expect(text).not.toContain(subscription.signature_key);

    const merchant = e.merchantId("snap-admin");
    const one = await fetch(`${e.url}/_emulator/snapshot?merchant=${merchant}`);
    expect(one.headers.get("content-disposition")).toContain(`emulator-snapshot-${merchant}.json`);
    expect(((await one.json()) as { merchants: Array<{ id: string }> }).merchants.map((m) => m.id)).toEqual([
      merchant,
    ]);
    expect((await fetch(`${e.url}/_emulator/snapshot?merchant=NOPE`)).status).toBe(404);
  });
});

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { client, createCustomer } from "./helpers.js";
import { receiver, verified } from "./receiver.js";

const dir = mkdtempSync(join(tmpdir(), "square-emulator-"));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("with a database file", () => {
  it("keeps every kind of data, and working cursors, across a restart", async () => {
    const db = join(dir, "restart.sqlite");
    const first = await startEmulator({ db, seed: 3 });
    const api = client(first, "persist");
    const customer = await createCustomer(api, { given_name: "Durable", idempotency_key: "persist-1" });
    const group = (await api("POST", "/v2/customers/groups", { body: { group: { name: "Kept" } } })).body
      .group;
    await api("PUT", `/v2/customers/${customer.id}/groups/${group.id}`);
    await api("POST", "/v2/customers/custom-attribute-definitions", {
      body: {
        custom_attribute_definition: {
          key: "kept",
          schema: {
            $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.Boolean",
          },
        },
      },
    });
    await api("POST", `/v2/customers/${customer.id}/custom-attributes/kept`, {
      body: { custom_attribute: { value: true } },
    });
    const subscription = (
      await api("POST", "/v2/webhooks/subscriptions", {
        body: {
          subscription: { event_types: ["customer.updated"], notification_url: "https://example.com/h" },
        },
      })
    ).body.subscription;
    const page = await api("GET", "/v2/customers", { query: { limit: 2 } });
    await first.close();

    const second = await startEmulator({ db, seed: 3 });
    try {
      const again = client(second, "persist");
      const got = (await again("GET", `/v2/customers/${customer.id}`)).body.customer;
      expect(got).toMatchObject({ given_name: "Durable", group_ids: [group.id] });
      expect(
        (await again("GET", `/v2/customers/${customer.id}/custom-attributes/kept`)).body.custom_attribute
          .value,
      ).toBe(true);
      const repeat = await again("POST", "/v2/customers", {
        body: { given_name: "Durable", idempotency_key: "persist-1" },
      });
      expect(repeat.body.customer.id).toBe(customer.id);
      const { signature_key: _, ...shown } = subscription;
      expect((await again("GET", `/v2/webhooks/subscriptions/${subscription.id}`)).body.subscription).toEqual(
        shown,
      );
      const next = await again("GET", "/v2/customers", { query: { limit: 2, cursor: page.body.cursor } });
      expect(next.status).toBe(200);
      expect(next.body.customers).toHaveLength(2); // 3 seeded + 1 created: no re-seeding on restart
      expect(next.body.cursor).toBeUndefined();
    } finally {
      await second.close();
    }
  });
});

describe("a database file of an emulator before id sequences", () => {
  it("opens, and its merchants get a sequence on their next id", async () => {
    const db = join(dir, "before-id-sequences.sqlite");
    const first = await startEmulator({ db });
    const kept = await createCustomer(client(first, "old-file"), { given_name: "Kept" });
    await first.close();
    // What an older emulator left behind: merchants without the id sequence's columns.
    const file = new DatabaseSync(db);
    file.exec("ALTER TABLE merchants DROP COLUMN id_salt; ALTER TABLE merchants DROP COLUMN id_next;");
    file.close();

    const second = await startEmulator({ db });
    try {
      const api = client(second, "old-file");
      expect((await api("GET", `/v2/customers/${kept.id}`)).body.customer).toEqual(kept);
      const next = await createCustomer(api, { given_name: "Next" });
      expect(next.id).toMatch(/^[0-9A-Z]{26}$/);
      expect(second.snapshot().merchants[0]!.idSequence.next).toBe(1);
    } finally {
      await second.close();
    }
  });
});

describe("the square-customers-emulator command", () => {
  function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)\n/.exec(out);
        if (m) resolve({ child, url: m[1]! });
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  it("prints its URL, serves, and on SIGTERM exits 0 with every acknowledged write on disk", async () => {
    const db = join(dir, "cli.sqlite");
    const { child, url } = await start(["--port", "0", "--db", db, "--seed", "2"]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const headers = { authorization: "Bearer cli", "content-type": "application/json" };
    const res = await fetch(`${url}/v2/customers`, {
      method: "POST",
      headers,
      body: JSON.stringify({ given_name: "Acked" }),
    });
    expect(res.status).toBe(200);
    const { customer } = (await res.json()) as { customer: { id: string } };
    const done = exited(child);
    child.kill("SIGTERM");
    expect(await done).toBe(0);

    const reopened = await startEmulator({ db });
    try {
      const got = await client(reopened, "cli")("GET", `/v2/customers/${customer.id}`);
      expect(got.body.customer.given_name).toBe("Acked");
    } finally {
      await reopened.close();
    }
  });

  it("applies --faults and exits on SIGINT", async () => {
    const { child, url } = await start(["--faults", "unavailable:nth=1;op=listCustomers"]);
    const headers = { authorization: "Bearer cli" };
    expect((await fetch(`${url}/v2/customers`, { headers })).status).toBe(503);
    expect((await fetch(`${url}/v2/customers`, { headers })).status).toBe(200);
    const done = exited(child);
    child.kill("SIGINT");
    expect(await done).toBe(0);
  });

  it("allows named CORS origins with --cors, and none with --no-cors", async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/v2/customers`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET" },
      }).then((res) => [res.status, res.headers.get("access-control-allow-origin")]);
    const named = await start(["--cors", "https://app.example.com", "--cors", "https://other.example.com"]);
    expect(await preflight(named.url, "https://other.example.com")).toEqual([
      204,
      "https://other.example.com",
    ]);
    expect(await preflight(named.url, "http://localhost:5173")).toEqual([204, "http://localhost:5173"]);
    expect(await preflight(named.url, "https://third.example.com")).toEqual([403, null]);
    const off = await start(["--no-cors"]);
    expect(await preflight(off.url, "http://localhost:5173")).toEqual([405, null]);
    for (const { child } of [named, off]) {
      const done = exited(child);
      child.kill("SIGTERM");
      expect(await done).toBe(0);
    }
  });

  it("delivers webhooks: --webhook-url with its key, --webhook-retry-scale, --webhook-faults", async () => {
    const hook = await receiver();
    const { child, url } = await start([
      "--webhook-url",
      hook.url,
      "--webhook-signature-key",
      "cli-key",
      "--webhook-retry-scale",
      "0.001",
      "--webhook-faults",
      "fail_first:nth=1",
    ]);
    const res = await fetch(`${url}/v2/customers`, {
      method: "POST",
      headers: { authorization: "Bearer cli-hooks", "content-type": "application/json" },
      body: JSON.stringify({ given_name: "Hooked" }),
    });
    expect(res.status).toBe(200);
    const [delivery] = await hook.waitFor(1);
    const event = await verified(delivery!, "cli-key", hook.url);
    expect(event.type).toBe("customer.created");
    // The first attempt was pretended failed (fail_first), one minute scaled to 60 ms.
    expect(delivery!.headers["square-retry-number"]).toBe("1");
    const done = exited(child);
    child.kill("SIGTERM");
    expect(await done).toBe(0);
  });

  it("explains itself and rejects bad options", () => {
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--faults");
    expect(help.stdout).toContain("--webhook-url");
    for (const args of [
      ["--port", "abc"],
      ["--bogus"],
      ["--faults", "explode"],
      ["--seed", "-1"],
      ["--cors", "not-an-origin"],
      ["--cors", "https://app.example.com", "--no-cors"],
      ["--webhook-url", "http://127.0.0.1:9/hooks"],
      ["--webhook-url", "not a url", "--webhook-signature-key", "k"],
      ["--webhook-url", "http://127.0.0.1:9/", "--webhook-signature-key", "k", "--webhook-retry-scale", "2"],
      ["--webhook-retry-scale", "fast"],
      ["--webhook-faults", "lose"],
    ]) {
      const bad = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("square-customers-emulator:");
    }
  });
});

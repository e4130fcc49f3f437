// The CLI's SQLite store for the mirror: core's MirrorStore on a file, kept across reopening, with
// transactions, plus the settings `customers sync` keeps beside the mirror.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MirroredCustomer } from "@square-customers/core";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteMirrorStore } from "../src/mirror-store.js";

const dir = mkdtempSync(join(tmpdir(), "mirror-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const customer = (id: string, version: number): MirroredCustomer => ({
  id,
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-01T00:00:00Z",
  creation_source: "THIRD_PARTY",
  version,
  given_name: "Ada",
  address: { locality: "Paris", country: "FR" },
});
const live = (version: number, at = 10) => ({ version, at, deleted: false });

describe("SqliteMirrorStore", () => {
  it("keeps customers with their marks, tombstones, event ids and the checkpoint, across reopening", () => {
    const file = join(dir, "kept.sqlite");
    const store = new SqliteMirrorStore(file);
    store.upsert(customer("A", 1), live(1));
    store.upsert(customer("B", 4), live(4, 20));
    store.upsert(customer("A", 2), live(2, 30));
    store.delete("B", { version: 4, at: 40, deleted: true });
    store.rememberEvent("E-old", 5);
    store.rememberEvent("E-new", 50);
    store.forgetEventsBefore(10);
    store.writeCheckpoint({ loadedAt: "2025-01-01T00:00:00.000Z", reconciledAt: "2025-01-02T00:00:00.000Z" });
    store.saveSubscription({ id: "wbhk_1", signatureKey: "key", notificationUrl: "http://127.0.0.1:1/h" });
    store.close();

    const again = new SqliteMirrorStore(file);
    expect(again.get("A")).toEqual(live(2, 30));
    expect(again.get("B")).toEqual({ version: 4, at: 40, deleted: true });
    expect(again.get("C")).toBeUndefined();
    expect([...again.live()]).toEqual([["A", live(2, 30)]]);
    expect([...again.customers()]).toEqual([customer("A", 2)]);
    expect(again.counts()).toEqual({ live: 1, deleted: 1 });
    expect([again.hasEvent("E-old"), again.hasEvent("E-new"), again.hasEvent("E-none")]).toEqual([
      false,
      true,
      false,
    ]);
    expect(again.readCheckpoint()?.reconciledAt).toBe("2025-01-02T00:00:00.000Z");
    expect(again.subscription()?.id).toBe("wbhk_1");
    // A tombstone can be raised again by a newer version (core decides when).
    again.upsert(customer("B", 5), live(5, 60));
    expect(again.counts()).toEqual({ live: 2, deleted: 0 });
    again.close();
  });

  it("a rolled-back step leaves nothing behind; a committed one stays", () => {
    const store = new SqliteMirrorStore(join(dir, "transactions.sqlite"));
    store.transactions.begin();
    store.upsert(customer("X", 1), live(1));
    store.rememberEvent("E-x", 1);
    store.transactions.rollback();
    expect([store.get("X"), store.hasEvent("E-x")]).toEqual([undefined, false]);
    store.transactions.begin();
    store.upsert(customer("X", 1), live(1));
    store.transactions.commit();
    expect(store.get("X")).toEqual(live(1));
    store.close();
  });

  it("opening something that is not a database fails", () => {
    expect(() => new SqliteMirrorStore(dir)).toThrow();
  });
});

// What every mirror store must do, as one suite each store's tests run: "newer wins" decided inside the
// write (checked against core's `supersedes` on every case), event claims, a failed transaction keeping
// nothing, the end of a full load, the checkpoint moving only forward, forgetting old event ids, and
// merchants kept apart.
import {
  type MaybePromise,
  type MirroredCustomer,
  type MirrorMark,
  type MirrorStore,
  type MirrorTransaction,
  supersedes,
} from "@square-customers/core";
import { describe, expect, it } from "vitest";

export interface StoreUnderTest {
  readonly store: MirrorStore;
  /** A merchant's live customers. */
  customers(merchantId: string): MaybePromise<readonly MirroredCustomer[]>;
  /** The stored mark of a customer, live or tombstone. */
  mark(merchantId: string, id: string): MaybePromise<MirrorMark | undefined>;
}

const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const live = (version: number, at = T0): MirrorMark => ({ version, at, deleted: false });
const tomb = (version: number, at = T0): MirrorMark => ({ version, at, deleted: true });

export function customer(
  id: string,
  version: number,
  fields: Partial<MirroredCustomer> = {},
): MirroredCustomer {
  return {
    id,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-02T00:00:00Z",
    creation_source: "THIRD_PARTY",
    version,
    given_name: "Ada",
    email_address: `${id.toLowerCase()}@example.com`,
    address: { locality: "Paris", country: "FR" },
    ...fields,
  };
}

const write = (id: string, mark: MirrorMark, fields: Partial<MirroredCustomer> = {}) => ({
  kind: mark.deleted ? ("delete" as const) : ("upsert" as const),
  id,
  customer: customer(id, mark.version, fields),
  mark,
});

/** The cases of core's `supersedes` (incoming, stored). */
const CASES: ReadonlyArray<readonly [string, MirrorMark, MirrorMark]> = [
  ["a higher version", live(3), live(2, T0 + 1000)],
  ["a lower version, however late", live(2, T0 + 1000), live(3)],
  ["the same version observed later", live(3, T0 + 1), live(3)],
  ["the same version observed at the same time", live(3), live(3)],
  ["the same version observed earlier", live(3, T0 - 1), live(3)],
  ["a delete at the stored version", tomb(3), live(3, T0 + 1000)],
  ["a delete over older versions", tomb(3), live(1, T0 + 1000)],
  ["a delete under a newer version", tomb(3), live(4)],
  ["a live state at the tombstone's version", live(3, T0 + 1000), tomb(3)],
  ["an older live state over a tombstone", live(2, T0 + 1000), tomb(3)],
  ["the same tombstone again", tomb(3, T0 + 1000), tomb(3)],
  ["a later tombstone over an older one", tomb(4), tomb(3)],
  ["a version past the tombstone", live(4), tomb(3)],
];

let merchants = 0;
const newMerchant = () => `M${Date.now().toString(36)}${++merchants}`;

export function storeContract(name: string, open: () => StoreUnderTest): void {
  const tx = <T>(s: StoreUnderTest, work: (tx: MirrorTransaction) => MaybePromise<T>) =>
    s.store.transaction(work);

  describe(`store contract: ${name}`, () => {
    it.each(CASES)("newer wins inside the write: %s", async (_, incoming, stored) => {
      const s = open();
      const m = newMerchant();
      expect(
        await tx(s, (t) => t.write({ kind: "write", merchantId: m, writes: [write("C1", stored)] })),
      ).toBe(1);
      const written = await tx(s, (t) =>
        t.write({ kind: "write", merchantId: m, writes: [write("C1", incoming, { nickname: "incoming" })] }),
      );
      const expected = supersedes(incoming, stored);
      expect(written).toBe(expected ? 1 : 0);
      expect(await s.mark(m, "C1")).toEqual(expected ? incoming : stored);
      const shown = (await s.customers(m)).map((c) => c.nickname ?? "stored");
      expect(shown).toEqual((expected ? incoming : stored).deleted ? [] : [expected ? "incoming" : "stored"]);
    });

    it("writes a page in one go, counting only what was newer", async () => {
      const s = open();
      const m = newMerchant();
      await tx(s, (t) => t.write({ kind: "write", merchantId: m, writes: [write("B", live(5))] }));
      const page = [write("A", live(1)), write("B", live(4)), write("C", live(1))];
      expect(await tx(s, (t) => t.write({ kind: "write", merchantId: m, writes: page }))).toBe(2);
      expect((await s.customers(m)).map((c) => [c.id, c.version])).toEqual([
        ["A", 1],
        ["B", 5],
        ["C", 1],
      ]);
    });

    it("applies an event once per merchant: a copy claims nothing and writes nothing", async () => {
      const s = open();
      const [m, other] = [newMerchant(), newMerchant()];
      const apply = (merchantId: string, eventId: string, mark: MirrorMark | undefined) =>
        tx(s, (t) =>
          t.applyEvent({ kind: "applyEvent", merchantId, eventId, at: T0, write: mark && write("C1", mark) }),
        );
      expect(await apply(m, "E1", live(2))).toEqual({ claimed: true, written: true });
      expect(await apply(m, "E1", live(5))).toEqual({ claimed: false, written: false });
      expect(await s.mark(m, "C1")).toEqual(live(2));
      expect(await apply(m, "E2", live(1))).toEqual({ claimed: true, written: false });
      expect(await apply(m, "E3", undefined)).toEqual({ claimed: true, written: false });
      expect(await apply(other, "E1", tomb(1))).toEqual({ claimed: true, written: true });
      expect(await s.mark(m, "C1")).toEqual(live(2));
    });

    it("a failed transaction keeps nothing of its steps", async () => {
      const s = open();
      const m = newMerchant();
      const failing = tx(s, async (t) => {
        await t.write({ kind: "write", merchantId: m, writes: [write("X", live(1))] });
        await t.advanceCheckpoint({
          kind: "advanceCheckpoint",
          merchantId: m,
          loadedAt: T0,
          reconciledAt: T0,
        });
        throw new Error("the step failed");
      });
      await expect(failing).rejects.toThrow("the step failed");
      expect(await s.mark(m, "X")).toBeUndefined();
      expect(await tx(s, (t) => t.readCheckpoint({ kind: "readCheckpoint", merchantId: m }))).toBeUndefined();
    });

    it("the end of a load turns live customers observed before the cutoff into tombstones, of one merchant", async () => {
      const s = open();
      const [m, other] = [newMerchant(), newMerchant()];
      const rows = [
        write("old", live(2, T0 - 10)),
        write("new", live(1, T0)),
        write("dead", tomb(1, T0 - 50)),
      ];
      await tx(s, (t) => t.write({ kind: "write", merchantId: m, writes: rows }));
      await tx(s, (t) =>
        t.write({ kind: "write", merchantId: other, writes: [write("old", live(2, T0 - 10))] }),
      );
      const deleted = await tx(s, (t) =>
        t.tombstoneUnseen({ kind: "tombstoneUnseen", merchantId: m, before: T0, at: T0 + 5 }),
      );
      expect(deleted).toBe(1);
      expect(await s.mark(m, "old")).toEqual(tomb(2, T0 + 5));
      expect(await s.mark(m, "new")).toEqual(live(1, T0));
      expect(await s.mark(m, "dead")).toEqual(tomb(1, T0 - 50));
      expect(await s.mark(other, "old")).toEqual(live(2, T0 - 10));
    });

    it("keeps a checkpoint per merchant that only moves forward", async () => {
      const s = open();
      const [m, other] = [newMerchant(), newMerchant()];
      const read = (merchantId: string) =>
        tx(s, (t) => t.readCheckpoint({ kind: "readCheckpoint", merchantId }));
      const advance = (loadedAt: number | undefined, reconciledAt: number) =>
        tx(s, (t) =>
          t.advanceCheckpoint({ kind: "advanceCheckpoint", merchantId: m, loadedAt, reconciledAt }),
        );
      await advance(undefined, T0); // a pass never makes a checkpoint on its own
      expect(await read(m)).toBeUndefined();
      await advance(T0, T0);
      await advance(undefined, T0 + 100);
      await advance(undefined, T0 + 50); // a pass that started earlier and finished later
      expect(await read(m)).toEqual({ loadedAt: T0, reconciledAt: T0 + 100 });
      await advance(T0 - 10, T0 - 10); // a load that started earlier and finished later
      expect(await read(m)).toEqual({ loadedAt: T0, reconciledAt: T0 + 100 });
      await advance(T0 + 200, T0 + 200);
      expect(await read(m)).toEqual({ loadedAt: T0 + 200, reconciledAt: T0 + 200 });
      expect(await read(other)).toBeUndefined();
    });

    it("forgets event ids handled before a time, of one merchant", async () => {
      const s = open();
      const [m, other] = [newMerchant(), newMerchant()];
      const claim = async (merchantId: string, eventId: string, at: number) =>
        (await tx(s, (t) => t.applyEvent({ kind: "applyEvent", merchantId, eventId, at, write: undefined })))
          .claimed;
      await claim(m, "old", T0 - 10);
      await claim(m, "new", T0 + 10);
      await claim(other, "old", T0 - 10);
      await tx(s, (t) => t.forgetEvents({ kind: "forgetEvents", merchantId: m, before: T0 }));
      expect([await claim(m, "old", T0), await claim(m, "new", T0), await claim(other, "old", T0)]).toEqual([
        true,
        false,
        false,
      ]);
    });
  });
}

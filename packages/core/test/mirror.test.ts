// The mirror's rules: which state wins, what events and reads mean, what a full load deletes, where a
// reconcile pass searches, when a mirror starts over. The sequences at the end play events in every order,
// with copies, through the same functions the clients call, into the in-memory store.
import { describe, expect, it } from "vitest";
import {
  advanceCheckpoint,
  applyEventStep,
  type Customer,
  type CustomerWebhookEvent,
  changeOfEvent,
  changeOfRead,
  countEvent,
  emptyEventCounts,
  eventResult,
  eventsForgettableBefore,
  fullLoadProgram,
  fullLoadQuery,
  goneAfterLoad,
  loadDeletionCutoff,
  MemoryMirrorStore,
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorInstruction,
  type MirrorMark,
  type MirrorProgram,
  mirroredCustomer,
  parseWebhookEvent,
  planSync,
  reconcileProgram,
  reconcileQuery,
  reconcileSince,
  runStep,
  supersedes,
  WEBHOOK_RETRY_WINDOW_MS,
  type WebhookEvent,
} from "../src/index.js";

const T0 = Date.parse("2025-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const live = (version: number, at = T0): MirrorMark => ({ version, at, deleted: false });
const tomb = (version: number, at = T0): MirrorMark => ({ version, at, deleted: true });

function customer(version: number, fields: Partial<Customer> = {}): Customer {
  return {
    id: "C1",
    created_at: iso(T0),
    updated_at: iso(T0),
    creation_source: "THIRD_PARTY",
    version,
    given_name: "Ada",
    segment_ids: ["SEG1"],
    ...fields,
  };
}

let nextEvent = 0;
function event(
  type: "customer.created" | "customer.updated" | "customer.deleted",
  c: Customer,
  at: number,
): CustomerWebhookEvent {
  nextEvent++;
  return {
    merchant_id: "M1",
    type,
    event_id: `E${nextEvent}`,
    created_at: iso(at),
    data: { type: "customer", id: c.id, object: { customer: c } },
  } as CustomerWebhookEvent;
}

describe("supersedes", () => {
  it.each([
    ["anything beats nothing", live(0), undefined, true],
    ["a higher version wins", live(3), live(2, T0 + 1000), true],
    ["a lower version never wins, however late", live(2, T0 + 1000), live(3), false],
    ["same version, observed later, wins", live(3, T0 + 1), live(3), true],
    ["same version, observed at the same time, does not", live(3), live(3), false],
    ["same version, observed earlier, does not", live(3, T0 - 1), live(3), false],
    ["a delete beats its own version", tomb(3), live(3, T0 + 1000), true],
    ["a delete beats older versions", tomb(3), live(1, T0 + 1000), true],
    ["a delete does not beat a newer version", tomb(3), live(4), false],
    ["a tombstone refuses its own version, however late", live(3, T0 + 1000), tomb(3), false],
    ["a tombstone refuses older versions", live(2, T0 + 1000), tomb(3), false],
    ["the same tombstone again changes nothing", tomb(3, T0 + 1000), tomb(3), false],
    ["a later tombstone raises an older one", tomb(4), tomb(3), true],
    ["a version past the tombstone brings it back", live(4), tomb(3), true],
  ] as const)("%s", (_, incoming, stored, expected) => {
    expect(supersedes(incoming, stored)).toBe(expected);
  });
});

describe("changeOfEvent", () => {
  it("created and updated upsert the customer after the change, without segment_ids", () => {
    const c = customer(2, { group_ids: ["G1"] });
    for (const type of ["customer.created", "customer.updated"] as const) {
      const change = changeOfEvent(event(type, c, T0 + 5));
      expect(change).toEqual({
        kind: "upsert",
        id: "C1",
        customer: mirroredCustomer(c),
        mark: live(2, T0 + 5),
      });
      expect(change.kind === "upsert" && "segment_ids" in change.customer).toBe(false);
    }
  });

  it("deleted is a tombstone at the deleted version", () => {
    expect(changeOfEvent(event("customer.deleted", customer(7), T0 + 9))).toEqual({
      kind: "delete",
      id: "C1",
      customer: mirroredCustomer(customer(7)),
      mark: tomb(7, T0 + 9),
    });
  });

  it("ignores custom attribute events, unknown types and customer events without a customer", () => {
    const attribute = parseWebhookEvent(
      JSON.stringify({
        merchant_id: "M1",
        type: "customer.custom_attribute.owned.updated",
        event_id: "A1",
        created_at: iso(T0),
        data: {
          type: "custom_attribute",
          id: "favorite:CUSTOMER:C1",
          object: {
            custom_attribute: {
              key: "favorite",
              value: "tea",
              version: 1,
              created_at: iso(T0),
              updated_at: iso(T0),
            },
          },
        },
      }),
    );
    const unknown = parseWebhookEvent(
      JSON.stringify({ type: "loyalty.account.created", event_id: "L1", data: { id: "X" } }),
    );
    // parseWebhookEvent refuses a customer event without its customer; the mirror ignores one all the same.
    const hollow = {
      ok: true,
      event: { type: "customer.updated", event_id: "H1", created_at: iso(T0), data: { id: "C1" } },
    } as unknown as typeof attribute;
    for (const outcome of [attribute, unknown, hollow]) {
      if (!outcome.ok) throw new Error(outcome.message);
      expect(changeOfEvent(outcome.event).kind).toBe("ignore");
    }
    if (!unknown.ok) throw new Error(unknown.message);
    expect(changeOfEvent(unknown.event)).toMatchObject({
      reason: "unknown event type loyalty.account.created",
    });
  });

  it("an unreadable event time counts as the oldest", () => {
    const e = { ...event("customer.updated", customer(1), T0), created_at: "not a time" };
    expect(changeOfEvent(e)).toMatchObject({ mark: live(1, 0) });
  });
});

describe("changeOfRead", () => {
  it("counts a read as observed a safety margin before it started", () => {
    expect(changeOfRead(customer(4), T0)).toEqual({
      kind: "upsert",
      id: "C1",
      customer: mirroredCustomer(customer(4)),
      mark: live(4, T0 - MIRROR_SAFETY_MARGIN_MS),
    });
    expect(changeOfRead(customer(4), T0, 0).mark.at).toBe(T0);
  });

  it("an event from just before a read still wins at the same version, and a later one always", () => {
    const read = changeOfRead(customer(4), T0).mark;
    expect(supersedes(live(4, T0 - 1000), read)).toBe(true);
    expect(supersedes(read, live(4, T0 - 1000))).toBe(false);
    expect(supersedes(live(4, T0 + 1), read)).toBe(true);
  });
});

describe("the event counts and results", () => {
  it("counts events by outcome", () => {
    let counts = emptyEventCounts();
    for (const outcome of ["applied", "stale", "applied", "duplicate"] as const) {
      counts = countEvent(counts, outcome);
    }
    expect(counts).toEqual({ applied: 2, stale: 1, duplicate: 1, ignored: 0 });
  });

  it("describes an event's result for progress, with its merchant", () => {
    const e = event("customer.updated", customer(6), T0);
    expect(eventResult(e, changeOfEvent(e), "stale")).toEqual({
      kind: "event",
      merchantId: "M1",
      eventId: e.event_id,
      eventType: "customer.updated",
      customerId: "C1",
      version: 6,
      outcome: "stale",
    });
  });
});

describe("the full load", () => {
  it("lists by creation time in pages of 100, counting only on the first page", () => {
    expect(fullLoadQuery()).toEqual({ limit: 100, sort_field: "CREATED_AT", sort_order: "ASC", count: true });
    expect(fullLoadQuery("CUR")).toEqual({
      limit: 100,
      sort_field: "CREATED_AT",
      sort_order: "ASC",
      cursor: "CUR",
    });
  });

  it("deletes live customers observed before the load began (less the margin), keeping their version", () => {
    const cutoff = loadDeletionCutoff(T0);
    expect(cutoff).toEqual({ before: T0 - MIRROR_SAFETY_MARGIN_MS, at: T0 });
    // Listed and written by the load: marked exactly at the cutoff, so kept.
    expect(goneAfterLoad(changeOfRead(customer(1), T0).mark, cutoff)).toBe(false);
    expect(goneAfterLoad(live(5, cutoff.before - 10), cutoff)).toBe(true);
    expect(goneAfterLoad(live(0, T0 + 50), cutoff)).toBe(false);
    expect(goneAfterLoad(tomb(5, cutoff.before - 10), cutoff)).toBe(false);
  });
});

describe("the reconcile pass", () => {
  const checkpoint = { loadedAt: T0, reconciledAt: T0 + 3_600_000 };

  it("searches updated_at from the last pass less the safety margin, page by page", () => {
    const since = reconcileSince(checkpoint);
    expect(since).toBe(iso(T0 + 3_600_000 - MIRROR_SAFETY_MARGIN_MS));
    expect(reconcileSince(checkpoint, 0)).toBe(iso(checkpoint.reconciledAt));
    expect(reconcileQuery(since)).toEqual({
      limit: 100,
      query: { filter: { updated_at: { start_at: since } } },
    });
    expect(reconcileQuery(since, "CUR")).toMatchObject({ cursor: "CUR" });
  });

  it("moves the checkpoint forward, never back; a pass alone makes none", () => {
    expect(advanceCheckpoint(checkpoint, { reconciledAt: T0 + 7_200_000 })).toEqual({
      loadedAt: T0,
      reconciledAt: T0 + 7_200_000,
    });
    expect(advanceCheckpoint(checkpoint, { reconciledAt: T0 })).toEqual(checkpoint);
    expect(advanceCheckpoint(checkpoint, { loadedAt: T0 - 5, reconciledAt: T0 - 5 })).toEqual(checkpoint);
    expect(advanceCheckpoint(undefined, { reconciledAt: T0 })).toBeUndefined();
    expect(advanceCheckpoint(undefined, { loadedAt: T0, reconciledAt: T0 })).toEqual({
      loadedAt: T0,
      reconciledAt: T0,
    });
  });

  it("forgets event ids once Square can no longer retry them", () => {
    expect(eventsForgettableBefore(T0, 0)).toBe(T0 - WEBHOOK_RETRY_WINDOW_MS);
    expect(eventsForgettableBefore(T0)).toBe(T0 - WEBHOOK_RETRY_WINDOW_MS - MIRROR_SAFETY_MARGIN_MS);
  });
});

describe("planSync", () => {
  const checkpoint = { loadedAt: T0, reconciledAt: T0 };
  it.each([
    ["no checkpoint: a full load", undefined, T0, {}, "full-load"],
    ["a recent checkpoint: a reconcile pass", checkpoint, T0 + 3_600_000, {}, "reconcile"],
    ["asked for: a full load", checkpoint, T0 + 1, { full: true }, "full-load"],
    ["past the retry window: a full load", checkpoint, T0 + WEBHOOK_RETRY_WINDOW_MS + 1, {}, "full-load"],
  ] as const)("%s", (_, cp, now, options, kind) => {
    expect(planSync(cp, now, options).kind).toBe(kind);
  });
});

/** Applies events the way both clients do (core's `applyEventStep`, one transaction each), into a memory store. */
async function play(store: MemoryMirrorStore, events: readonly WebhookEvent[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const e of events) {
    const result = await store.transaction((tx) => runStep(applyEventStep(e, T0), tx));
    outcomes.push(result.outcome);
  }
  return outcomes;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("events in any order, with copies", () => {
  // One customer's life: created, renamed, added to a group and removed again (membership changes keep
  // the version), renamed again, deleted. Each event is 1 s after the one before.
  const states = [
    customer(0),
    customer(1, { given_name: "Ada L." }),
    customer(1, { given_name: "Ada L.", group_ids: ["G1"] }),
    customer(1, { given_name: "Ada L.", group_ids: [] }),
    customer(2, { given_name: "Ada Lovelace", group_ids: [] }),
  ];
  const lifeEvents = [
    event("customer.created", states[0]!, T0 + 1000),
    event("customer.updated", states[1]!, T0 + 2000),
    event("customer.updated", states[2]!, T0 + 3000),
    event("customer.updated", states[3]!, T0 + 4000),
    event("customer.updated", states[4]!, T0 + 5000),
  ];
  const deleted = event("customer.deleted", states[4]!, T0 + 6000);

  it("end in the newest state in every order, each with a copy of one event", async () => {
    for (const order of permutations(lifeEvents)) {
      const store = new MemoryMirrorStore();
      expect((await play(store, [...order, order[2]!])).at(-1)).toBe("duplicate");
      expect(store.customer("M1", "C1")).toEqual(mirroredCustomer(states[4]!));
    }
  });

  it("end deleted in every order once the delete is among them", async () => {
    for (const order of permutations([...lifeEvents.slice(2), deleted])) {
      const store = new MemoryMirrorStore();
      await play(store, [...order, ...order]);
      expect(store.mark("M1", "C1")).toEqual(tomb(2, T0 + 6000));
      expect(store.customers("M1")).toEqual([]);
    }
  });

  it("keep the group membership of the later event at one version", async () => {
    const store = new MemoryMirrorStore();
    await play(store, [lifeEvents[3]!, lifeEvents[2]!]);
    expect(store.customer("M1", "C1")?.group_ids).toEqual([]);
  });

  it("reads and events mix: an event from after the read wins, an older read never does", async () => {
    const store = new MemoryMirrorStore();
    const read = changeOfRead(states[2]!, T0 + 3500, 0);
    const write = (change: typeof read) =>
      store.transaction((tx) => tx.write({ kind: "write", merchantId: "M1", writes: [change] }));
    await write(read);
    await play(store, [lifeEvents[1]!, lifeEvents[2]!]);
    expect(store.customer("M1", "C1")?.group_ids).toEqual(["G1"]);
    await play(store, [lifeEvents[3]!]);
    expect(store.customer("M1", "C1")?.group_ids).toEqual([]);
    expect(await write(changeOfRead(states[1]!, T0 + 9000, 0))).toBe(1);
    expect(await write(changeOfRead(states[0]!, T0 + 9000, 0))).toBe(0);
  });

  it("an event naming no merchant is ignored without touching the store", async () => {
    const store = new MemoryMirrorStore();
    const { merchant_id: _, ...anonymous } = event("customer.created", states[0]!, T0);
    expect(await play(store, [anonymous as unknown as WebhookEvent])).toEqual(["ignored"]);
    expect(store.customers("M1")).toEqual([]);
  });

  it("keeps merchants apart: the same customer id and event id in two merchants are two", async () => {
    const store = new MemoryMirrorStore();
    const first = lifeEvents[0]!;
    const other = { ...first, merchant_id: "M2" };
    expect(await play(store, [first, other])).toEqual(["applied", "applied"]);
    expect(store.customers("M1")).toHaveLength(1);
    expect(store.customers("M2")).toHaveLength(1);
  });
});

/** Runs a program against pages given in advance and a memory store; the instructions it gave, by kind. */
async function drive<T>(program: MirrorProgram<T>, store: MemoryMirrorStore, pages: object[]) {
  const seen: string[] = [];
  let next = program.next();
  while (!next.done) {
    const instruction: MirrorInstruction = next.value;
    seen.push(instruction.kind === "report" ? `report ${instruction.progress.kind}` : instruction.kind);
    let result: unknown;
    if (instruction.kind === "list" || instruction.kind === "search") result = pages.shift();
    else if (instruction.kind === "transaction") {
      const { step } = instruction;
      result = await store.transaction((tx) => runStep(step, tx));
    }
    next = program.next(result);
  }
  return { result: next.value, seen };
}

describe("the programs", () => {
  it("a full load: a page at a time, each in a transaction and reported, then the end of the load", async () => {
    const store = new MemoryMirrorStore();
    await store.transaction((tx) =>
      tx.write({
        kind: "write",
        merchantId: "M1",
        writes: [changeOfRead(customer(1, { id: "GONE" }), T0 - 3_600_000)],
      }),
    );
    const pages = [
      { customers: [customer(1, { id: "A" })], cursor: "next", count: 2 },
      { customers: [customer(2, { id: "B" })] },
    ];
    const { result, seen } = await drive(fullLoadProgram({ merchantId: "M1", startedAt: T0 }), store, pages);
    expect(result).toEqual({ listed: 2, written: 2, deleted: 1 });
    expect(seen).toEqual([
      "list",
      "transaction",
      "report load",
      "list",
      "transaction",
      "report load",
      "report load",
      "transaction",
      "report load",
    ]);
    expect(store.customers("M1").map((c) => c.id)).toEqual(["A", "B"]);
    expect(store.checkpoint("M1")).toEqual({ loadedAt: T0, reconciledAt: T0 });
  });

  it("a reconcile pass needs a checkpoint, then searches from it and moves it forward", async () => {
    const store = new MemoryMirrorStore();
    await expect(drive(reconcileProgram({ merchantId: "M1", startedAt: T0 }), store, [])).rejects.toThrow(
      "run a full load first",
    );
    await store.transaction((tx) =>
      tx.advanceCheckpoint({ kind: "advanceCheckpoint", merchantId: "M1", loadedAt: T0, reconciledAt: T0 }),
    );
    const { result } = await drive(reconcileProgram({ merchantId: "M1", startedAt: T0 + 60_000 }), store, [
      { customers: [customer(3)] },
    ]);
    expect(result).toEqual({ since: iso(T0 - MIRROR_SAFETY_MARGIN_MS), read: 1, written: 1 });
    expect(store.checkpoint("M1")).toEqual({ loadedAt: T0, reconciledAt: T0 + 60_000 });
  });
});

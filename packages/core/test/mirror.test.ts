// The mirror's rules: which state wins, what events and reads mean, what a full load deletes, where a
// reconcile pass searches, when a mirror starts over. The sequences at the end play events in every order,
// with copies, through the same functions the clients call, into the in-memory store.
import { describe, expect, it } from "vitest";
import {
  type Customer,
  type CustomerWebhookEvent,
  changeOfEvent,
  changeOfRead,
  checkpointAfterLoad,
  checkpointAfterReconcile,
  countEvent,
  deletionsAfterLoad,
  emptyEventCounts,
  eventResult,
  eventsForgettableBefore,
  fullLoadQuery,
  MemoryMirrorStore,
  MIRROR_SAFETY_MARGIN_MS,
  type MirrorChange,
  type MirrorMark,
  mirroredCustomer,
  outcomeOf,
  parseWebhookEvent,
  planSync,
  reconcileQuery,
  reconcileSince,
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
      const change = changeOfEvent(outcome.event);
      expect(change.kind).toBe("ignore");
      expect(outcomeOf(change, undefined)).toBe("ignored");
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

describe("outcomeOf and the event counts", () => {
  it("names what becomes of a change", () => {
    const up: MirrorChange = { kind: "upsert", id: "C1", customer: customer(2), mark: live(2) };
    expect(outcomeOf(up, undefined)).toBe("applied");
    expect(outcomeOf(up, live(3))).toBe("stale");
    expect(outcomeOf(up, undefined, true)).toBe("duplicate");
    let counts = emptyEventCounts();
    for (const outcome of ["applied", "stale", "applied", "duplicate"] as const) {
      counts = countEvent(counts, outcome);
    }
    expect(counts).toEqual({ applied: 2, stale: 1, duplicate: 1, ignored: 0 });
  });

  it("describes an event's result for progress", () => {
    const e = event("customer.updated", customer(6), T0);
    expect(eventResult(e, changeOfEvent(e), "stale")).toEqual({
      kind: "event",
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

  it("deletes what the listing lacks, unless the mirror learned of it after the listing began", () => {
    const started = T0;
    const before = started - MIRROR_SAFETY_MARGIN_MS;
    const entries: Array<[string, MirrorMark]> = [
      ["listed", live(1, before - 10)],
      ["gone", live(5, before - 10)],
      ["created-during-load", live(0, started + 50)],
      ["created-just-before", live(0, before)],
    ];
    expect(deletionsAfterLoad(entries, new Set(["listed"]), started)).toEqual([["gone", tomb(5, started)]]);
  });

  it("saves a checkpoint at the load's start", () => {
    expect(checkpointAfterLoad(T0)).toEqual({ loadedAt: iso(T0), reconciledAt: iso(T0) });
  });
});

describe("the reconcile pass", () => {
  const checkpoint = { loadedAt: iso(T0), reconciledAt: iso(T0 + 3_600_000) };

  it("searches updated_at from the last pass less the safety margin", () => {
    const since = reconcileSince(checkpoint);
    expect(since).toBe(iso(T0 + 3_600_000 - MIRROR_SAFETY_MARGIN_MS));
    expect(reconcileSince(checkpoint, 0)).toBe(checkpoint.reconciledAt);
    expect(reconcileQuery(since)).toEqual({
      limit: 100,
      query: { filter: { updated_at: { start_at: since } } },
    });
  });

  it("moves the checkpoint forward, never back", () => {
    expect(checkpointAfterReconcile(checkpoint, T0 + 7_200_000)).toEqual({
      loadedAt: iso(T0),
      reconciledAt: iso(T0 + 7_200_000),
    });
    expect(checkpointAfterReconcile(checkpoint, T0)).toBe(checkpoint);
  });

  it("forgets event ids once Square can no longer retry them", () => {
    expect(eventsForgettableBefore(T0, 0)).toBe(T0 - WEBHOOK_RETRY_WINDOW_MS);
    expect(eventsForgettableBefore(T0)).toBe(T0 - WEBHOOK_RETRY_WINDOW_MS - MIRROR_SAFETY_MARGIN_MS);
  });
});

describe("planSync", () => {
  const checkpoint = { loadedAt: iso(T0), reconciledAt: iso(T0) };
  it.each([
    ["no checkpoint: a full load", undefined, T0, {}, "full-load"],
    ["a recent checkpoint: a reconcile pass", checkpoint, T0 + 3_600_000, {}, "reconcile"],
    ["asked for: a full load", checkpoint, T0 + 1, { full: true }, "full-load"],
    ["past the retry window: a full load", checkpoint, T0 + WEBHOOK_RETRY_WINDOW_MS + 1, {}, "full-load"],
  ] as const)("%s", (_, cp, now, options, kind) => {
    expect(planSync(cp, now, options).kind).toBe(kind);
  });
});

/** Applies events the way both clients do (dedupe, compare, write, remember), into a memory store. */
function play(store: MemoryMirrorStore, events: readonly WebhookEvent[]): number {
  let staleWrites = 0;
  for (const e of events) {
    const change = changeOfEvent(e);
    const handled = store.hasEvent(e.event_id);
    const stored = change.kind === "ignore" ? undefined : store.get(change.id);
    const outcome = outcomeOf(change, stored, handled);
    if (outcome === "applied" && change.kind === "upsert") {
      if (stored && stored.version > change.mark.version) staleWrites++;
      store.upsert(change.customer, change.mark);
    }
    if (outcome === "applied" && change.kind === "delete") store.delete(change.id, change.mark);
    if (outcome !== "duplicate") store.rememberEvent(e.event_id, T0);
  }
  return staleWrites;
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

  it("end in the newest state in every order, each with a copy of one event", () => {
    for (const order of permutations(lifeEvents)) {
      const store = new MemoryMirrorStore();
      expect(play(store, [...order, order[2]!])).toBe(0);
      expect(store.customer("C1")).toEqual(mirroredCustomer(states[4]!));
    }
  });

  it("end deleted in every order once the delete is among them", () => {
    for (const order of permutations([...lifeEvents.slice(2), deleted])) {
      const store = new MemoryMirrorStore();
      play(store, [...order, ...order]);
      expect(store.get("C1")).toEqual(tomb(2, T0 + 6000));
      expect(store.customers()).toEqual([]);
    }
  });

  it("keep the group membership of the later event at one version", () => {
    const store = new MemoryMirrorStore();
    play(store, [lifeEvents[3]!, lifeEvents[2]!]);
    expect(store.customer("C1")?.group_ids).toEqual([]);
  });

  it("reads and events mix: an event from after the read wins, an older read never does", () => {
    const store = new MemoryMirrorStore();
    const read = changeOfRead(states[2]!, T0 + 3500, 0);
    store.upsert(read.customer, read.mark);
    play(store, [lifeEvents[1]!, lifeEvents[2]!]);
    expect(store.customer("C1")?.group_ids).toEqual(["G1"]);
    play(store, [lifeEvents[3]!]);
    expect(store.customer("C1")?.group_ids).toEqual([]);
    expect(outcomeOf(changeOfRead(states[1]!, T0 + 9000, 0), store.get("C1"))).toBe("applied");
    expect(outcomeOf(changeOfRead(states[0]!, T0 + 9000, 0), store.get("C1"))).toBe("stale");
  });
});

describe("MemoryMirrorStore", () => {
  it("keeps customers, tombstones, events and the checkpoint", () => {
    const store = new MemoryMirrorStore();
    store.upsert(mirroredCustomer(customer(1)), live(1));
    store.upsert(mirroredCustomer(customer(1, { id: "C2" })), live(1));
    store.delete("C2", tomb(1));
    expect([...store.live()]).toEqual([["C1", live(1)]]);
    expect(store.customers().map((c) => c.id)).toEqual(["C1"]);
    expect(store.get("C2")).toEqual(tomb(1));
    store.rememberEvent("E-old", T0 - 10);
    store.rememberEvent("E-new", T0 + 10);
    store.forgetEventsBefore(T0);
    expect([store.hasEvent("E-old"), store.hasEvent("E-new")]).toEqual([false, true]);
    expect(store.readCheckpoint()).toBeUndefined();
    store.writeCheckpoint(checkpointAfterLoad(T0));
    expect(store.readCheckpoint()).toEqual(checkpointAfterLoad(T0));
  });
});

// The demo's mirror section: what `customers sync` does, in this process. A SQLite mirror is loaded in
// full, then kept in sync by webhook deliveries while "someone else" makes random changes to the account
// and the embedded emulator duplicates, reorders, delays and fails deliveries on purpose. Then the mirror
// is checked against the account, field by field, and for stale overwrites.
import { join } from "node:path";
import type { SquareClient } from "@square-customers/client";
import {
  countEvent,
  emptyEventCounts,
  type MirrorEventCounts,
  type MirroredCustomer,
  type MirrorProgress,
} from "@square-customers/core";
import { SqliteMirrorStore } from "@square-customers/mirror-sqlite";
import { compareMirror, type MirrorComparison, StaleWriteWatch, sqliteMarkOf } from "../mirror-check.js";
import { type SessionSettings, startMirrorSession } from "../mirror-session.js";
import { prepareWorkload, runWorkload } from "../mirror-workload.js";
import { n } from "../output.js";
import type { SignatureKeyStore } from "../signature-key.js";
import type { Target } from "../target.js";

/** The embedded emulator's webhook controls, when the demo runs on it. */
type Webhooks = NonNullable<Target["emulator"]>["webhooks"] | undefined;

import { checks, code, heading, ok, say, style } from "./demo-output.js";

/** Changes made to the account while the mirror runs. */
const CHANGES = 300;
/** Each delivery fault, on this share of deliveries. */
const FAULT_RATE = 0.1;
/** Without the embedded emulator there is nothing to wait on but the mirror itself: give up after this. */
const CONVERGE_TIMEOUT_MS = 60_000;

/** Runs steps `first` and `first + 1`; returns how many checks failed. */
export async function mirrorSection(
  square: SquareClient,
  target: Target,
  dir: string,
  first: number,
): Promise<number> {
  heading(
    first,
    "Keep a mirror in sync with webhooks",
    "promise client: createMirror, as `customers sync` does",
  );
  const inner = SqliteMirrorStore.open(join(dir, "mirror.sqlite"));
  const store = new StaleWriteWatch(inner, sqliteMarkOf(inner.db));
  let events = emptyEventCounts();
  const count = (progress: MirrorProgress) => {
    if (progress.kind === "event") events = countEvent(events, progress.outcome);
  };
  const session = await startMirrorSession({
    square,
    store,
    settings: memorySettings(),
    keys: memoryKey(),
    tokenFingerprint: "demo",
    listen: { host: "127.0.0.1", port: 0 },
    onProgress: count,
  });
  const { merchantId } = session;
  try {
    say(`listening on ${session.listening}; a subscription sends customer events there, signed`);
    code('const mirror = createMirror({ client: square, store: SqliteMirrorStore.open("mirror.sqlite") })');
    code("await mirror.fullLoad(merchantId)");
    const loaded = await session.mirror.fullLoad(merchantId);
    say(`→ ${n(loaded.listed)} customers in the mirror`);
    code("createWebhookHandler({ signatureKey, notificationUrl }, (event) => mirror.apply(event))");
    const webhooks = target.emulator?.webhooks;
    if (webhooks) {
      webhooks.faults.set([
        { kind: "duplicate", rate: FAULT_RATE },
        { kind: "reorder", rate: FAULT_RATE, ms: 300 },
        { kind: "delay", rate: FAULT_RATE, ms: 300 },
        { kind: "fail_first", rate: FAULT_RATE },
      ]);
      say("the emulator will send 10 % of deliveries twice, 10 % out of order, 10 % late, and pretend");
      say("the first attempt of 10 % failed (Square then retries): the mirror must not care");
    } else {
      say(style("dim", "(delivery faults need the embedded emulator: run without --url to see them)"));
    }
    const setup = await prepareWorkload(square, 2025);
    const live: string[] = [];
    for await (const customer of square.customers.list()) live.push(customer.id);
    say(
      `now ${n(CHANGES)} changes by someone else: creates, updates, deletes, bulk calls, groups, attributes`,
    );
    await runWorkload(square, setup, live, { changes: CHANGES, seed: 2025 });
    const started = performance.now();
    const comparison = await converged(square, () => [...inner.customers(merchantId)], webhooks);
    webhooks?.faults.set([]);
    say(
      `→ ${n(total(events))} events: ${n(events.applied)} applied, ${n(events.stale)} stale (older than the mirror's copy),` +
        ` ${n(events.duplicate)} duplicates dropped; settled ${((performance.now() - started) / 1000).toFixed(1)} s after the last change`,
    );
    heading(first + 1, "Check: the mirror equals the account", "field by field, every customer");
    return report(comparison, store, webhooks);
  } finally {
    await session.close();
    inner.close();
  }
}

const total = (e: MirrorEventCounts) => e.applied + e.stale + e.duplicate + e.ignored;

/**
 * Waits until every delivery is done (the embedded emulator knows) and compares; without it, compares
 * until the mirror matches or the time is up.
 */
async function converged(
  square: SquareClient,
  mirrored: () => Iterable<MirroredCustomer>,
  webhooks: Webhooks,
): Promise<MirrorComparison> {
  if (webhooks) {
    await webhooks.whenIdle();
    return compareMirror(await square.customers.list().toArray(), mirrored());
  }
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const comparison = compareMirror(await square.customers.list().toArray(), mirrored());
    if (comparison.differences.length === 0 || Date.now() > deadline) return comparison;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function report(comparison: MirrorComparison, store: StaleWriteWatch, webhooks: Webhooks): number {
  const checked = checks();
  const { check } = checked;
  const { differences } = comparison;
  check(
    differences.length === 0,
    `${n(comparison.customers)} customers, ${n(comparison.fields)} fields compared: ${n(differences.length)} differ`,
  );
  for (const d of differences.slice(0, 5)) {
    say(
      style(
        "dim",
        `${d.id} ${d.field}: account ${JSON.stringify(d.account)}, mirror ${JSON.stringify(d.mirror)}`,
      ),
    );
  }
  check(
    store.staleWrites === 0,
    `${n(store.staleWrites)} stale overwrites: no older version ever replaced a newer one (${n(store.writes)} writes)`,
  );
  if (webhooks) {
    const log = webhooks.deliveries();
    const faulted = (kind: string) =>
      new Set(log.filter((d) => d.faults.some((f) => f === kind)).map((d) => d.eventId)).size;
    ok(
      `survived, among the emulator's last ${n(log.length)} deliveries, ${n(faulted("duplicate"))} duplicated,` +
        ` ${n(faulted("reorder"))} reordered, ${n(faulted("delay"))} delayed and ${n(faulted("fail_first"))} failed then retried`,
    );
  }
  return checked.failures;
}

/** The demo's settings live as long as it does. */
function memorySettings(): SessionSettings {
  const values = new Map<string, unknown>();
  return {
    setting: async <T>(name: string) => values.get(name) as T | undefined,
    saveSetting: async (name, value) => void values.set(name, value),
    deleteSetting: async (name) => void values.delete(name),
  };
}

/** The demo's signature key too: it is never written anywhere. */
function memoryKey(): SignatureKeyStore {
  let key: string | undefined;
  return {
    where: "memory",
    read: () => key,
    write: (next) => {
      key = next;
    },
    remove: () => {
      key = undefined;
    },
  };
}

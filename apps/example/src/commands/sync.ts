// `customers sync --db mirror.sqlite | postgres://…`: keeps a mirror of the merchant's customers in sync.
// It starts its webhook listener, makes sure a subscription points at it, brings the mirror up to date (a
// full load the first time, a reconcile pass from the checkpoint after), then applies events as they are
// delivered and runs a reconcile pass every `--reconcile-every` seconds, until Ctrl-C.
//
// Ctrl-C (or SIGTERM) stops taking deliveries, lets those being applied finish, closes the database,
// prints the counts and exits 130, like every interrupted command; the subscription is kept. That is the
// choice that loses nothing: deliveries that fail while the mirror is stopped are retried by Square for up
// to 72 hours and arrive when it runs again; the next run reuses the subscription (pointing it at the new
// listener if the address changed) and resumes from the checkpoint without a full load. A mirror stopped
// for longer than that, or whose subscription is gone or was disabled, loads in full again.
// `--unsubscribe` deletes the subscription (and its key) for good; the mirror's data stays.
//
// One database can hold several merchants' mirrors: each token's subscription and merchant are kept
// apart (by a fingerprint of the token, never the token), and so are their rows.
import { createHash } from "node:crypto";
import { createSquareClient, NotFoundError, type SquareClient } from "@square-customers/client";
import { CliError, EXIT_INTERRUPTED, EXIT_USAGE } from "../errors.js";
import { listenForInterrupt } from "../interrupt.js";
import { openSyncDatabase, type SyncDatabase } from "../mirror-db.js";
import { type MirrorSession, startMirrorSession, subscriptionSetting } from "../mirror-session.js";
import { note } from "../output.js";
import { type SignatureKeyStore, signatureKeyStore } from "../signature-key.js";
import { createSyncOutput, type SyncOutput } from "../sync-output.js";
import type { StoredSubscription } from "../sync-settings.js";
import { openTarget, type Target } from "../target.js";

/** `--listen HOST:PORT`. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface SyncOptions {
  readonly db: string;
  readonly listen: ListenAddress;
  readonly notificationUrl?: string;
  readonly keyFile?: string;
  readonly json?: boolean;
  readonly full?: boolean;
  readonly unsubscribe?: boolean;
  /** Seconds between reconcile passes; 0: none. */
  readonly reconcileEvery: number;
  readonly url?: string;
  readonly environment?: "sandbox" | "production";
}

/** Names a token's settings without keeping the token. */
function fingerprintOf(token: string): string {
  return createHash("sha256").update(token).digest("hex").slice(0, 16);
}

export async function syncCommand(options: SyncOptions): Promise<void> {
  if (!options.url && !options.environment) {
    throw new CliError(
      "customers sync needs --url (a running emulator) or --environment: the embedded emulator ends with " +
        "the command, so there would be nothing to resume",
      EXIT_USAGE,
    );
  }
  const keys = signatureKeyStore(options.db, options.keyFile);
  const stop = stopSignal();
  const db = await openSyncDatabase(options.db);
  let target: Target | undefined;
  try {
    target = await openTarget(options);
    const square = createSquareClient({ accessToken: target.accessToken, environment: target.environment });
    const fingerprint = fingerprintOf(target.accessToken);
    const legacy = db.legacy;
    if (legacy?.target !== undefined && legacy.target.tokenFingerprint !== fingerprint) {
      throw new CliError(
        `${db.label} was written by an earlier customers sync for another access token: use that token once to upgrade it, or another --db`,
        EXIT_USAGE,
      );
    }
    if (options.unsubscribe) {
      await unsubscribe(square, db, keys, fingerprint, legacy?.subscription);
      return;
    }
    await runSync(square, db, keys, fingerprint, options, stop.signal);
  } finally {
    stop.dispose();
    await db.close();
    await target?.close();
  }
}

async function runSync(
  square: SquareClient,
  db: SyncDatabase,
  keys: SignatureKeyStore,
  fingerprint: string,
  options: SyncOptions,
  signal: AbortSignal,
): Promise<void> {
  let live = 0;
  let merchantId: string | undefined;
  const refreshCount = async () => {
    if (merchantId !== undefined) live = (await db.counts(merchantId)).live;
  };
  const output = createSyncOutput({ json: options.json ?? false, customers: () => live });
  const session = await startMirrorSession({
    square,
    store: db.store,
    settings: db,
    keys,
    tokenFingerprint: fingerprint,
    listen: options.listen,
    notificationUrl: options.notificationUrl,
    earlier: db.legacy?.subscription,
    onProgress: (progress) => {
      output.progress(progress);
      if (progress.kind !== "event" || progress.outcome === "applied") void refreshCount().catch(() => {});
    },
  });
  try {
    merchantId = session.merchantId;
    if (db.legacy !== undefined) {
      const { customers } = await db.legacy.upgrade(merchantId);
      output.note(
        `upgraded ${db.label} to the mirror's schema: ${customers} customers kept, the key moved to ${keys.where}`,
      );
    }
    await refreshCount();
    await runUntilStopped(session, db, output, options, signal);
    await refreshCount();
  } finally {
    await session.close();
  }
  if (signal.aborted) {
    await refreshCount().catch(() => {});
    output.stopped("stopped");
    process.exitCode = EXIT_INTERRUPTED;
  }
}

/** The initial sync, then live events and periodic reconcile passes until `signal` aborts. */
async function runUntilStopped(
  session: MirrorSession,
  db: SyncDatabase,
  output: SyncOutput,
  options: SyncOptions,
  signal: AbortSignal,
): Promise<void> {
  const { merchantId } = session;
  const before = await db.checkpoint(merchantId);
  let start: "full-load" | "reconcile";
  try {
    const full = options.full === true || session.eventsMayBeLost;
    if (session.eventsMayBeLost)
      output.note("the webhook subscription was gone or disabled: loading in full");
    start = (await session.mirror.sync(merchantId, { full, signal })).kind;
  } catch (error) {
    if (!signal.aborted) throw error;
    output.note("stopped before the mirror was up to date (the next run starts that over)");
    return;
  }
  if (start === "reconcile" && before !== undefined) {
    output.note(
      `resumed from the checkpoint of ${new Date(before.reconciledAt).toISOString()}: the reconcile pass brought ` +
        "in what changed meanwhile; customers deleted while the mirror was down are removed as Square retries " +
        "their events (for up to 72 hours), or by a --full load",
    );
  }
  output.ready({
    listening: session.listening,
    notificationUrl: session.subscription.notificationUrl,
    subscriptionId: session.subscription.id,
    merchantId,
    start,
  });
  const reconciler = periodically(options.reconcileEvery, async () => {
    try {
      await session.mirror.reconcile(merchantId, { signal });
    } catch (error) {
      if (!signal.aborted)
        output.note(`reconcile pass failed (the next one tries again): ${(error as Error).message}`);
    }
  });
  await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
  await reconciler.stop();
}

/** `--unsubscribe`: deletes this token's subscription and its key; the mirror's data stays. */
async function unsubscribe(
  square: SquareClient,
  db: SyncDatabase,
  keys: SignatureKeyStore,
  fingerprint: string,
  legacy: StoredSubscription | undefined,
): Promise<void> {
  const setting = subscriptionSetting(fingerprint);
  const subscription = (await db.setting<StoredSubscription>(setting)) ?? legacy;
  if (subscription === undefined) {
    note(`${db.label} has no webhook subscription for this access token: nothing to delete`);
    return;
  }
  await square.webhooks.subscriptions.delete(subscription.id).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
  await db.deleteSetting(setting);
  keys.remove();
  note(
    `deleted webhook subscription ${subscription.id} (and its key); the mirror in ${db.label} is kept, and a later ` +
      "customers sync subscribes again and loads in full",
  );
}

/** Runs `task` every `seconds` (never two at once); `stop` waits for one in progress. */
function periodically(seconds: number, task: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer =
    seconds > 0
      ? setInterval(() => {
          running ??= task().finally(() => {
            running = undefined;
          });
        }, seconds * 1000)
      : undefined;
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Aborts on the first Ctrl-C (the CLI's one rule, `listenForInterrupt`) or SIGTERM (a service manager
 * stopping the mirror); a second one ends the process at once.
 */
function stopSignal(): { signal: AbortSignal; dispose(): void } {
  const interruption = listenForInterrupt();
  const terminated = new AbortController();
  const onTerminate = () => {
    if (terminated.signal.aborted) process.exit(EXIT_INTERRUPTED);
    terminated.abort(new Error("stopped"));
  };
  process.on("SIGTERM", onTerminate);
  return {
    signal: AbortSignal.any([interruption.signal, terminated.signal]),
    dispose() {
      interruption.dispose();
      process.off("SIGTERM", onTerminate);
    },
  };
}

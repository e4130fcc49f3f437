// A live mirror: a node:http listener for webhook deliveries, the subscription that points Square at it,
// and the promise client's mirror that applies each verified delivery. `customers sync` runs one until
// Ctrl-C; the demo runs one for its mirror section.
//
// The listener is up and the subscription exists before the mirror loads anything, so no change made
// during a full load goes unannounced. A delivery is answered 200 only once it is applied (or found stale
// or a duplicate); a forged one gets 401 and is never applied; one that arrives before the subscription's
// key is known gets 503, so Square delivers it again.
//
// The merchant a token belongs to is learned once from the subscription's test event (its `merchant_id`;
// the listener answers that delivery 503, so it is never applied) and kept: events name their merchant,
// and the mirror keys each merchant's rows by it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { NotFoundError, type SquareClient } from "@square-customers/client";
import {
  type CustomerMirror,
  createMirror,
  MIRROR_EVENT_TYPES,
  type MirrorProgress,
  type MirrorStore,
} from "@square-customers/client/mirror";
import { createWebhookHandler } from "@square-customers/client/node";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";
import type { SignatureKeyStore } from "./signature-key.js";
import type { StoredSubscription } from "./sync-settings.js";

/** What a session keeps between runs (a database's settings, or memory for the demo). */
export interface SessionSettings {
  setting<T>(name: string): Promise<T | undefined>;
  saveSetting(name: string, value: unknown): Promise<void>;
  deleteSetting(name: string): Promise<void>;
}

export interface MirrorSessionOptions {
  readonly square: SquareClient;
  readonly store: MirrorStore;
  readonly settings: SessionSettings;
  /** Where the subscription's signature key is kept. */
  readonly keys: SignatureKeyStore;
  /** Names this token's settings (a fingerprint of it, never the token). */
  readonly tokenFingerprint: string;
  /** Where the listener listens; port 0 picks a free one. */
  readonly listen: { readonly host: string; readonly port: number };
  /**
   * The URL Square posts to, when it is not the listener's own (a tunnel or proxy in front of it); the
   * listener accepts deliveries on any path, and signatures are checked against this URL.
   */
  readonly notificationUrl?: string | undefined;
  /** The subscription of an earlier release's mirror file, with its key, to take over. */
  readonly earlier?: (StoredSubscription & { readonly signatureKey: string }) | undefined;
  readonly onProgress?: (progress: MirrorProgress) => void;
}

export interface MirrorSession {
  readonly mirror: CustomerMirror;
  readonly merchantId: string;
  /** The listener's own URL. */
  readonly listening: string;
  readonly subscription: StoredSubscription;
  /**
   * The subscription was created now, or was disabled: events from before may never arrive, so the
   * mirror needs a full load rather than a reconcile pass.
   */
  readonly eventsMayBeLost: boolean;
  /** Stops taking deliveries and waits for those being applied. The subscription is kept. */
  close(): Promise<void>;
}

/** Path of the default notification URL. */
const WEBHOOK_PATH = "/square/webhooks";

/** Setting names of one token's subscription and merchant. */
export const subscriptionSetting = (fingerprint: string) => `subscription:${fingerprint}`;
const merchantSetting = (fingerprint: string) => `merchant:${fingerprint}`;
/** A subscription being created: its idempotency key and URL, so that a run killed meanwhile gets it back. */
const pendingSetting = (fingerprint: string) => `pending-subscription:${fingerprint}`;

interface PendingSubscription {
  readonly idempotencyKey: string;
  readonly notificationUrl: string;
}

export async function startMirrorSession(options: MirrorSessionOptions): Promise<MirrorSession> {
  const { square, settings, tokenFingerprint } = options;
  const mirror = createMirror({
    client: square,
    store: options.store,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const listener = await listen(options.listen.host, options.listen.port);
  try {
    const notificationUrl = options.notificationUrl ?? `${listener.url}${WEBHOOK_PATH}`;
    const earlier =
      options.earlier ?? (await settings.setting<StoredSubscription>(subscriptionSetting(tokenFingerprint)));
    if (options.earlier) options.keys.write(options.earlier.signatureKey);
    const found = await ensureSubscription(square, options.keys, earlier, notificationUrl, {
      pending: () => settings.setting<PendingSubscription>(pendingSetting(tokenFingerprint)),
      begin: (pending) => settings.saveSetting(pendingSetting(tokenFingerprint), pending),
      created: async (subscription) => {
        await settings.saveSetting(subscriptionSetting(tokenFingerprint), subscription);
        await settings.deleteSetting(pendingSetting(tokenFingerprint));
      },
    });
    await settings.saveSetting(subscriptionSetting(tokenFingerprint), found.subscription);
    let merchantId = await settings.setting<string>(merchantSetting(tokenFingerprint));
    if (merchantId === undefined) {
      merchantId = await merchantOfSubscription(square, found.subscription.id);
      await settings.saveSetting(merchantSetting(tokenFingerprint), merchantId);
    }
    const signed = { signatureKey: found.signatureKey, notificationUrl };
    listener.handle(createWebhookHandler(signed, (event) => mirror.apply(event)));
    return {
      mirror,
      merchantId,
      listening: listener.url,
      subscription: found.subscription,
      eventsMayBeLost: found.eventsMayBeLost,
      close: () => listener.close(),
    };
  } catch (error) {
    await listener.close();
    throw error;
  }
}

/** How a new subscription is recorded: before it is created, and once it is. */
interface CreationLog {
  pending(): Promise<PendingSubscription | undefined>;
  begin(pending: PendingSubscription): Promise<void>;
  created(subscription: StoredSubscription): Promise<void>;
}

/**
 * The earlier run's subscription if Square still has it (pointed at `notificationUrl` and enabled again
 * if need be; its key rotated if this machine no longer has it), else a new one for the three customer
 * event types. The key is kept in `keys`, never in the database.
 *
 * Creating one is safe to interrupt: its idempotency key is recorded first, so a run killed before it
 * recorded the subscription asks for it again with the same key and gets the same one back (its key
 * too), rather than leaving one behind that would deliver with a key nobody has.
 */
async function ensureSubscription(
  square: SquareClient,
  keys: SignatureKeyStore,
  recorded: StoredSubscription | undefined,
  notificationUrl: string,
  log: CreationLog,
): Promise<{ subscription: StoredSubscription; signatureKey: string; eventsMayBeLost: boolean }> {
  const interrupted = recorded === undefined ? await log.pending() : undefined;
  const earlier =
    interrupted === undefined
      ? recorded
      : (await createSubscription(square, keys, interrupted, log)).subscription;
  if (earlier !== undefined) {
    const found = await square.webhooks.subscriptions.retrieve(earlier.id).then(
      ({ subscription }) => subscription,
      (error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      },
    );
    if (found !== undefined) {
      if (!found.enabled || found.notification_url !== notificationUrl) {
        await square.webhooks.subscriptions.update(earlier.id, {
          subscription: { notification_url: notificationUrl, enabled: true },
        });
      }
      let signatureKey = keys.read();
      if (signatureKey === undefined) {
        // The key was lost (the key file deleted, another machine): a new one replaces it.
        ({ signature_key: signatureKey } = await square.webhooks.subscriptions.updateSignatureKey(
          earlier.id,
          {
            idempotency_key: randomUUID(),
          },
        ));
        keys.write(signatureKey);
      }
      return {
        subscription: { id: earlier.id, notificationUrl },
        signatureKey,
        eventsMayBeLost: !found.enabled,
      };
    }
  }
  const pending = { idempotencyKey: randomUUID(), notificationUrl };
  await log.begin(pending);
  const { subscription, signatureKey } = await createSubscription(square, keys, pending, log);
  return { subscription, signatureKey, eventsMayBeLost: recorded !== undefined };
}

/** Creates (or, with the same idempotency key, gets back) a subscription, keeps its key, records it. */
async function createSubscription(
  square: SquareClient,
  keys: SignatureKeyStore,
  pending: PendingSubscription,
  log: CreationLog,
): Promise<{ subscription: StoredSubscription; signatureKey: string }> {
  const { subscription } = await square.webhooks.subscriptions.create({
    idempotency_key: pending.idempotencyKey,
    subscription: {
      name: "customers sync",
      event_types: [...MIRROR_EVENT_TYPES],
      notification_url: pending.notificationUrl,
    },
  });
  const signatureKey = subscription.signature_key;
  try {
    if (!signatureKey)
      throw new CliError("the new webhook subscription came without a signature key", EXIT_FAILURE);
    keys.write(signatureKey);
  } catch (error) {
    await square.webhooks.subscriptions.delete(subscription.id).catch(() => {});
    throw error;
  }
  const stored = { id: subscription.id, notificationUrl: pending.notificationUrl };
  await log.created(stored);
  return { subscription: stored, signatureKey };
}

/** The merchant of the token, from the `merchant_id` of the subscription's test event. */
async function merchantOfSubscription(square: SquareClient, subscriptionId: string): Promise<string> {
  const { subscription_test_result } = await square.webhooks.subscriptions.test(subscriptionId, {});
  const payload = JSON.parse(subscription_test_result.payload ?? "{}") as { merchant_id?: unknown };
  if (typeof payload.merchant_id !== "string" || payload.merchant_id === "") {
    throw new CliError("the subscription's test event named no merchant_id", EXIT_FAILURE);
  }
  return payload.merchant_id;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

interface Listener {
  readonly url: string;
  /** Starts handing deliveries to `handler` (until then they are answered 503). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** A node:http server for deliveries: POST on any path; it tracks requests so `close` can wait for them. */
async function listen(host: string, port: number): Promise<Listener> {
  let handler: Handler | undefined;
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((request, response) => {
    const done = answer(handler, request, response).catch(() => {
      request.socket.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  await new Promise<void>((resolve, reject) => {
    const refused = (error: NodeJS.ErrnoException) =>
      // A port in use or not allowed is a matter of the --listen flag.
      reject(new CliError(`cannot listen on ${host}:${port}: ${error.code ?? error.message}`, EXIT_USAGE));
    server.once("error", refused);
    server.listen(port, host, () => {
      server.off("error", refused);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    handle(next) {
      handler = next;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(handler: Handler | undefined, request: IncomingMessage, response: ServerResponse) {
  if (request.method !== "POST") {
    request.resume();
    response.writeHead(405, { allow: "POST" }).end();
    return;
  }
  if (handler === undefined) {
    request.resume();
    response.writeHead(503, { "retry-after": "1" }).end();
    return;
  }
  await handler(request, response);
}

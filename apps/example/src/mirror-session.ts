// A live mirror: a node:http listener for webhook deliveries, the subscription that points Square at it,
// and the promise client's mirror that applies each verified delivery. `customers sync` runs one until
// Ctrl-C; the demo runs one for its mirror section.
//
// The listener is up and the subscription exists before the mirror loads anything, so no change made
// during a full load goes unannounced. A delivery is answered 200 only once it is applied (or found stale
// or a duplicate); a forged one gets 401 and is never applied; one that arrives before the subscription's
// key is known gets 503, so Square delivers it again.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type CustomerMirror,
  createMirror,
  MIRROR_EVENT_TYPES,
  type MirrorProgress,
  type MirrorStore,
  NotFoundError,
  type SquareClient,
} from "@square-customers/client";
import { createWebhookHandler } from "@square-customers/client/node";
import { CliError, EXIT_USAGE } from "./errors.js";

/** The subscription a mirror receives its events through (the key is a secret: never printed). */
export interface SessionSubscription {
  readonly id: string;
  readonly signatureKey: string;
  readonly notificationUrl: string;
}

export interface MirrorSessionOptions {
  readonly square: SquareClient;
  readonly store: MirrorStore;
  /** Where the listener listens; port 0 picks a free one. */
  readonly listen: { readonly host: string; readonly port: number };
  /**
   * The URL Square posts to, when it is not the listener's own (a tunnel or proxy in front of it); the
   * listener accepts deliveries on any path, and signatures are checked against this URL.
   */
  readonly notificationUrl?: string | undefined;
  /** The subscription of an earlier run, to reuse. */
  readonly subscription?: SessionSubscription | undefined;
  readonly onProgress?: (progress: MirrorProgress) => void;
}

export interface MirrorSession {
  readonly mirror: CustomerMirror;
  /** The listener's own URL. */
  readonly listening: string;
  readonly subscription: SessionSubscription;
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

export async function startMirrorSession(options: MirrorSessionOptions): Promise<MirrorSession> {
  const mirror = createMirror(options.square, {
    store: options.store,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const listener = await listen(options.listen.host, options.listen.port);
  try {
    const notificationUrl = options.notificationUrl ?? `${listener.url}${WEBHOOK_PATH}`;
    const { subscription, eventsMayBeLost } = await ensureSubscription(
      options.square,
      options.subscription,
      notificationUrl,
    );
    listener.handle(createWebhookHandler(subscription, (event) => mirror.apply(event)));
    return { mirror, listening: listener.url, subscription, eventsMayBeLost, close: () => listener.close() };
  } catch (error) {
    await listener.close();
    throw error;
  }
}

/**
 * The earlier run's subscription if Square still has it (pointed at `notificationUrl` and enabled again
 * if need be), else a new one for the three customer event types.
 */
async function ensureSubscription(
  square: SquareClient,
  earlier: SessionSubscription | undefined,
  notificationUrl: string,
): Promise<{ subscription: SessionSubscription; eventsMayBeLost: boolean }> {
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
      return { subscription: { ...earlier, notificationUrl }, eventsMayBeLost: !found.enabled };
    }
  }
  const { subscription } = await square.webhooks.subscriptions.create({
    idempotency_key: randomUUID(),
    subscription: {
      name: "customers sync",
      event_types: [...MIRROR_EVENT_TYPES],
      notification_url: notificationUrl,
    },
  });
  if (!subscription.signature_key)
    throw new Error("the new webhook subscription came without a signature key");
  return {
    subscription: { id: subscription.id, signatureKey: subscription.signature_key, notificationUrl },
    eventsMayBeLost: earlier !== undefined,
  };
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

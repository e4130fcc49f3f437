/// <reference types="node" />
// @square-customers/client/node: webhooks on `node:http`. Reading the raw body is the part people get
// wrong (a JSON body parser re-serializes it and the signature no longer matches); this reads the bytes as
// they arrived, with a size limit, and answers Square the way it expects.
import type { IncomingMessage, ServerResponse } from "node:http";
import { WEBHOOK_SIGNATURE_HEADER, type WebhookEvent } from "@square-customers/core";
import { type UnwrapOptions, unwrapDelivery, WebhookVerificationError } from "./webhooks.js";

/** Square's deliveries are small; anything bigger than this is refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Verifies and reads a delivery from a `node:http` request whose body has not been read yet. */
export async function unwrapNodeRequest(
  request: IncomingMessage,
  options: UnwrapOptions,
): Promise<WebhookEvent> {
  const rawBody = await readRawBody(request);
  const header = request.headers[WEBHOOK_SIGNATURE_HEADER];
  return unwrapDelivery(
    { rawBody, signatureHeader: Array.isArray(header) ? header.join(",") : header },
    options,
  );
}

/**
 * A `node:http` request handler for one subscription: each delivery is verified and handed to `onEvent`,
 * and answered 200 only after `onEvent` has finished. A refused delivery gets its 4xx and never reaches
 * `onEvent`; an `onEvent` that throws gets a 500, so Square delivers the event again later.
 */
export function createWebhookHandler(
  options: UnwrapOptions,
  onEvent: (event: WebhookEvent) => unknown,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    let event: WebhookEvent;
    try {
      event = await unwrapNodeRequest(request, options);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      answer(response, error.status, { error: error.reason });
      return;
    }
    try {
      await onEvent(event);
    } catch {
      answer(response, 500, { error: "handler_failed" });
      return;
    }
    answer(response, 200, { ok: true });
  };
}

function answer(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** The request body as bytes, refused past MAX_WEBHOOK_BODY_BYTES. */
function readRawBody(request: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BODY_BYTES) {
        request.destroy();
        reject(
          new WebhookVerificationError(
            "malformed_body",
            `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`,
          ),
        );
      } else {
        chunks.push(chunk);
      }
    });
    request.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on("error", reject);
  });
}

/// <reference types="node" />
// @square-customers/client/node: webhooks on `node:http`. Reading the raw body is the part people get
// wrong (a JSON body parser re-serializes it and the signature no longer matches); this reads the bytes as
// they arrived, with a size limit, and answers Square the way it expects.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  WEBHOOK_ACCEPTED,
  WEBHOOK_HANDLER_FAILED,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookAnswer,
  type WebhookEvent,
  webhookRefusal,
  webhookRefused,
} from "@square-customers/core";
import { type UnwrapOptions, unwrapDelivery, WebhookVerificationError } from "./webhooks/unwrap.js";

/** Core's cap on a delivery's body (`WEBHOOK_MAX_BODY_BYTES`): anything bigger is refused unread. */
export const MAX_WEBHOOK_BODY_BYTES = WEBHOOK_MAX_BODY_BYTES;

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
      // The rest of an oversized body is never read: answer, then close the connection.
      if (error.reason === "body_too_large") closeAfterAnswer(request, response);
      answer(response, webhookRefused(error.reason));
      return;
    }
    try {
      await onEvent(event);
    } catch {
      answer(response, WEBHOOK_HANDLER_FAILED);
      return;
    }
    answer(response, WEBHOOK_ACCEPTED);
  };
}

/** Writes core's answer: its status and JSON body. */
function answer(response: ServerResponse, { status, body }: WebhookAnswer): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader("connection", "close");
  response.on("finish", () => request.socket.destroy());
}

/** The request body as bytes, refused (`body_too_large`, core's text) past core's cap. */
function readRawBody(request: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_MAX_BODY_BYTES) {
        // Stop reading, but keep the socket: the sender still gets the 413.
        request.pause();
        request.removeAllListeners("data");
        const refusal = webhookRefusal("body_too_large");
        reject(new WebhookVerificationError(refusal.reason, refusal.message));
      } else {
        chunks.push(chunk);
      }
    });
    request.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on("error", reject);
  });
}

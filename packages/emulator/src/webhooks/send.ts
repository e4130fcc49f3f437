// One delivery attempt over HTTP (node:http / node:https, kept-alive connections): the body signed with
// core's `webhookSignature`, the headers Square sends, and the receiver's answer judged as Square judges
// it: any 2xx within the timeout is delivered; anything else (a redirect included, which is never
// followed) is a failure with its retry reason.
import { createHmac } from "node:crypto";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { WEBHOOK_SIGNATURE_HEADER, webhookSignature } from "@square-customers/core";
import type { RetryReason } from "../square-choices.js";

/** The legacy HMAC-SHA1 signature header, which Square still sends beside the SHA-256 one. */
const LEGACY_SIGNATURE_HEADER = "x-square-signature";

export interface AttemptRequest {
  readonly url: string;
  readonly body: string;
  readonly signatureKey: string;
  /** Set on retries: their number, why the attempt before failed, and when the first was made. */
  readonly retry?: { readonly number: number; readonly reason: RetryReason; readonly initialAt: string };
  readonly timeoutMs: number;
  /** Aborted when the emulator closes. */
  readonly shutdown: AbortSignal;
}

export interface AttemptResult {
  /** The receiver's status, when it answered in time. */
  readonly status?: number;
  readonly latencyMs: number;
  /** Why the attempt failed; absent when delivered. */
  readonly failure?: RetryReason;
  /** What went wrong, in words. */
  readonly error?: string;
  /** The emulator was closing: the attempt was abandoned, neither delivered nor failed. */
  readonly abandoned?: true;
}

/** The headers of one attempt, both signatures included. */
async function deliveryHeaders(request: AttemptRequest): Promise<Record<string, string>> {
  const signed = { signatureKey: request.signatureKey, notificationUrl: request.url, rawBody: request.body };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "square-customers-emulator",
    [WEBHOOK_SIGNATURE_HEADER]: await webhookSignature(signed),
    [LEGACY_SIGNATURE_HEADER]: createHmac("sha1", request.signatureKey)
      .update(request.url + request.body)
      .digest("base64"),
  };
  if (request.retry !== undefined) {
    headers["square-retry-number"] = String(request.retry.number);
    headers["square-retry-reason"] = request.retry.reason;
    headers["square-initial-delivery-timestamp"] = request.retry.initialAt;
  }
  return headers;
}

/** Keep-alive connections for deliveries, one pool per scheme, closed with the emulator. */
export class Connections {
  readonly http = new HttpAgent({ keepAlive: true });
  readonly https = new HttpsAgent({ keepAlive: true });

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * Sends one attempt and judges the answer. Never throws. The answer counts once its status line has
 * come; its body is read and thrown away, and a body that is still coming at the deadline is cut off.
 */
export async function sendAttempt(request: AttemptRequest, connections: Connections): Promise<AttemptResult> {
  const headers = await deliveryHeaders(request);
  const url = new URL(request.url);
  const secure = url.protocol === "https:";
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      request.shutdown.removeEventListener("abort", abandon);
      resolve(result);
    };
    const send = secure ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(request.body)) },
        agent: secure ? connections.https : connections.http,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.on("end", () => clearTimeout(deadline));
        res.resume();
        const latencyMs = elapsed();
        settle(
          status >= 200 && status <= 299
            ? { status, latencyMs }
            : { status, latencyMs, failure: "http_error", error: `answered ${status}` },
        );
      },
    );
    const deadline = setTimeout(() => {
      settle({
        latencyMs: elapsed(),
        failure: "http_timeout",
        error: `no answer within ${request.timeoutMs} ms`,
      });
      req.destroy();
    }, request.timeoutMs);
    // The socket keeps the process alive while an attempt is in flight; the deadline alone must not.
    deadline.unref();
    const abandon = () => {
      clearTimeout(deadline);
      settle({ latencyMs: elapsed(), abandoned: true });
      req.destroy();
    };
    if (request.shutdown.aborted) abandon();
    else request.shutdown.addEventListener("abort", abandon, { once: true });
    req.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      settle({ latencyMs: elapsed(), failure: "http_error", error: error.code ?? error.message });
    });
    req.end(request.body);
  });
}

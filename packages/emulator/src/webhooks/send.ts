// One delivery attempt over HTTP: the body signed with core's `webhookSignature`, the headers Square
// sends, and the receiver's answer judged as Square judges it: any 2xx within the timeout is delivered;
// anything else (a redirect included, which is never followed) is a failure with its retry reason.
import { createHmac } from "node:crypto";
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
export async function deliveryHeaders(request: AttemptRequest): Promise<Record<string, string>> {
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

/** Sends one attempt and judges the answer. Never throws. */
export async function sendAttempt(request: AttemptRequest): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  try {
    const res = await fetch(request.url, {
      method: "POST",
      headers: await deliveryHeaders(request),
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.any([timeout, request.shutdown]),
    });
    const latencyMs = elapsed();
    // The answer's body means nothing to Square; it is not read (and not waited for).
    res.body?.cancel().catch(() => {});
    if (res.status >= 200 && res.status <= 299) return { status: res.status, latencyMs };
    return { status: res.status, latencyMs, failure: "http_error", error: `answered ${res.status}` };
  } catch (error) {
    const latencyMs = elapsed();
    if (request.shutdown.aborted) return { latencyMs, abandoned: true };
    if (timeout.aborted) {
      return { latencyMs, failure: "http_timeout", error: `no answer within ${request.timeoutMs} ms` };
    }
    return { latencyMs, failure: "http_error", error: connectionProblem(error) };
  }
}

/** A failed connection in words: fetch's "fetch failed" hides the reason in `cause`. */
function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

// Signing a delivery and checking that one comes from Square: base64 HMAC-SHA256 over the notification URL
// and the raw body, keyed by the subscription's signature key (spec/BEHAVIOUR.md, "Webhooks"). WebCrypto,
// so it runs in every runtime; the emulator signs with `webhookSignature`, every receiver verifies with
// `verifyWebhookSignature` (through `unwrapWebhook`).

/** The header carrying a delivery's HMAC-SHA256 signature. */
export const WEBHOOK_SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export interface WebhookSignatureInput {
  /** The `x-square-hmacsha256-signature` header of the notification. */
  readonly signatureHeader: string | null | undefined;
  /** The subscription's signature key. */
  readonly signatureKey: string;
  /** The notification URL exactly as configured in the subscription. */
  readonly notificationUrl: string;
  /** The request body exactly as received, before any JSON parsing. */
  readonly rawBody: string | Uint8Array;
}

/**
 * The signature of a delivery: base64 HMAC-SHA256, keyed by the signature key, over the notification URL
 * followed by the raw body. WebCrypto, so it runs in every runtime.
 */
export async function webhookSignature(input: {
  readonly signatureKey: string;
  readonly notificationUrl: string;
  readonly rawBody: string | Uint8Array;
}): Promise<string> {
  return encodeBase64(await hmac(input));
}

/** Whether a delivery's signature header is right for its URL, body and key (constant-time compare). */
export async function verifyWebhookSignature(input: WebhookSignatureInput): Promise<boolean> {
  const expected = decodeBase64(input.signatureHeader?.trim() ?? "");
  if (!expected || expected.length === 0 || !input.signatureKey) return false;
  return constantTimeEqual(await hmac(input), expected);
}

async function hmac(input: {
  readonly signatureKey: string;
  readonly notificationUrl: string;
  readonly rawBody: string | Uint8Array;
}): Promise<Uint8Array> {
  const encoder = new TextEncoder();
  const body = typeof input.rawBody === "string" ? encoder.encode(input.rawBody) : input.rawBody;
  const url = encoder.encode(input.notificationUrl);
  const payload = new Uint8Array(url.length + body.length);
  payload.set(url, 0);
  payload.set(body, url.length);
  const key = await hmacKey(input.signatureKey);
  return new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, payload));
}

/**
 * A WebCrypto key, named by what `importKey` gives: lib.dom calls it CryptoKey, @types/node has no global
 * name for it.
 */
type HmacKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/**
 * The WebCrypto key of a signature key, imported once: importing took a sixth of the emulator's time per
 * delivery. A process holds few signature keys; the cache is bounded anyway.
 */
const importedKeys = new Map<string, Promise<HmacKey>>();
const MAX_CACHED_KEYS = 64;

function hmacKey(signatureKey: string): Promise<HmacKey> {
  let key = importedKeys.get(signatureKey);
  if (key === undefined) {
    if (importedKeys.size >= MAX_CACHED_KEYS) importedKeys.clear();
    key = globalThis.crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(signatureKey),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    importedKeys.set(signatureKey, key);
  }
  return key;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

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
 * Checks that a webhook notification comes from Square: base64 HMAC-SHA256, keyed by the signature key,
 * over the notification URL followed by the raw body. Uses WebCrypto, so it runs in every runtime, and
 * compares in constant time.
 */
export async function verifyWebhookSignature(input: WebhookSignatureInput): Promise<boolean> {
  const expected = decodeBase64(input.signatureHeader?.trim() ?? "");
  if (!expected || expected.length === 0 || !input.signatureKey) return false;
  const encoder = new TextEncoder();
  const body = typeof input.rawBody === "string" ? encoder.encode(input.rawBody) : input.rawBody;
  const url = encoder.encode(input.notificationUrl);
  const payload = new Uint8Array(url.length + body.length);
  payload.set(url, 0);
  payload.set(body, url.length);
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    encoder.encode(input.signatureKey),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const actual = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, payload));
  return constantTimeEqual(actual, expected);
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

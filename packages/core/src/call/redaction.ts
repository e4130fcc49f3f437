// What the clients keep of a failed call (messages, error bodies, log lines) must never hold the access
// token, even when a proxy or server echoes it back. One marker and one rule for both clients.

/** Put where a secret was removed. */
export const REDACTED = "[REDACTED]";

/**
 * Secrets shorter than this are not searched for: replacing every "abc" in a message would mangle it, and
 * real Square tokens are far longer (test tokens may be short).
 */
export const MIN_REDACTED_LENGTH = 8;

/** Replaces `secret` in a text with the marker. */
export type Redactor = (text: string) => string;

/** A redactor for one secret. */
export function redactor(secret: string): Redactor {
  if (secret.length < MIN_REDACTED_LENGTH) return (text) => text;
  return (text) => (text.includes(secret) ? text.replaceAll(secret, REDACTED) : text);
}

/** Request headers as a loggable record: the bearer token hidden, every other value redacted. */
export function redactHeaders(
  headers: Iterable<readonly [string, string]>,
  redact: Redactor,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    out[name] = name.toLowerCase() === "authorization" ? `Bearer ${REDACTED}` : redact(value);
  }
  return out;
}

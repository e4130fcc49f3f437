import { createHash, randomBytes } from "node:crypto";

// Square's object ids are 26 upper-case letters and digits; the emulator's look the same so code that
// pattern-matches ids (or stores them in fixed-width columns) sees nothing unusual.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A fresh random id in Square's style. */
export function newId(length = 26): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** A deterministic id derived from the given parts (used for seeded data, so reruns agree). */
export function stableId(...parts: Array<string | number>): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  let out = "";
  for (let i = 0; i < 26; i++) out += ALPHABET[digest[i]! % ALPHABET.length];
  return out;
}

/** Hex SHA-256, used to avoid storing bearer tokens themselves and to fingerprint card nonces. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1); reproducible across runs and platforms. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

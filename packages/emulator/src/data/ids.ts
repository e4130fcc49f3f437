import { createHash } from "node:crypto";
import type { Store } from "./store.js";

// Square's object ids are 26 upper-case letters and digits; the emulator's look the same so code that
// pattern-matches ids (or stores them in fixed-width columns) sees nothing unusual.
//
// Ids a merchant's requests create (customers, groups, subscriptions, events, …) come from the
// merchant's id sequence: number n of a random per-merchant salt, hashed. They look random and never
// repeat, yet they are a function of state the store keeps (salt and counter), so an emulator loaded
// from a snapshot goes on with exactly the ids the original would have made.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Id number `n` of the sequence salted with `salt`, in Square's style (26 characters). */
export function sequenceId(salt: string, n: number): string {
  return stableId("id", salt, n);
}

function digestHex(...parts: Array<string | number>): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** Id number `n` of the sequence salted with `salt`, as a UUID (version 4 layout, like Square's). */
export function sequenceUuid(salt: string, n: number): string {
  const hex = digestHex("uuid", salt, n);
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Id number `n` of the sequence salted with `salt`, as `length` hex digits. */
export function sequenceHex(salt: string, n: number, length: number): string {
  return digestHex("hex", salt, n).slice(0, length);
}

/** The next id of a merchant's sequence, in Square's style. */
export function newId(store: Store, merchant: string): string {
  const { salt, first } = store.takeIdNumbers(merchant);
  return sequenceId(salt, first);
}

/** The next id of a merchant's sequence, as a UUID. */
export function newUuid(store: Store, merchant: string): string {
  const { salt, first } = store.takeIdNumbers(merchant);
  return sequenceUuid(salt, first);
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

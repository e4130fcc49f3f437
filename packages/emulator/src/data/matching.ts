// Text matching rules of SearchCustomers, as Square's docs describe them. search-filter.ts turns the token
// rules into SQL conditions; custom-attribute filters call these functions from the SQL function in
// store.ts.
import { toE164 } from "../square-choices.js";

/**
 * Lower-cased tokens: punctuation (anything but letters and digits) separates tokens. These are also the
 * tokens of a fuzzy email / reference id query.
 */
export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== "");
}

/** The tokens of a fuzzy phone query: the digits of each space-separated part. */
export function phoneTokens(query: string): string[] {
  return query
    .split(/\s+/)
    .map((t) => t.replace(/\D/g, ""))
    .filter((t) => t !== "");
}

/**
 * Fuzzy email / reference id match: every query token must occur inside some token of the stored value
 * ("Steven gmail" matches "mygmail@stevensbakery.com"). Query tokens hold only letters and digits, so
 * "inside some token of the value" is the same as "inside the lower-cased value": a match cannot span
 * the punctuation between two tokens. (search-filter.ts relies on this to run the check as SQL `instr`.)
 * A query without tokens matches nothing.
 */
function fuzzyTokenMatch(value: string | null | undefined, query: string): boolean {
  if (value == null) return false;
  const wanted = tokens(query);
  const text = value.toLowerCase();
  return wanted.length > 0 && wanted.every((w) => text.includes(w));
}

/** Fuzzy phone match: every group of digits in the query occurs in the stored number's digits. */
function fuzzyPhoneMatch(value: string | null | undefined, query: string): boolean {
  if (value == null) return false;
  const wanted = phoneTokens(query);
  const digits = value.replace(/\D/g, "");
  return wanted.length > 0 && wanted.every((w) => digits.includes(w));
}

/** Whole-word match used by the `text` custom-attribute filter: every query word is a word of the value. */
function wordMatch(value: string, query: string): boolean {
  const wanted = tokens(query);
  if (wanted.length === 0) return false;
  const have = new Set(tokens(value));
  return wanted.every((w) => have.has(w));
}

/** `exact` / `fuzzy` text filter on a stored string, per kind of value. */
export function textFilterMatch(
  kind: "email" | "phone" | "text",
  value: unknown,
  filter: { exact?: string | null; fuzzy?: string | null },
): boolean {
  if (typeof value !== "string") return false;
  if (filter.exact != null) {
    if (kind === "phone") return toE164(value) === toE164(filter.exact);
    return value.toLowerCase() === filter.exact.toLowerCase();
  }
  if (filter.fuzzy != null) {
    if (kind === "phone") return fuzzyPhoneMatch(value, filter.fuzzy);
    if (kind === "email") return fuzzyTokenMatch(value, filter.fuzzy);
    return wordMatch(value, filter.fuzzy);
  }
  return true;
}

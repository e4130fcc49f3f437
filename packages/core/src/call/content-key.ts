// Keys derived from content: the same record always gets the same key, in either client and in every run,
// so importing the same data twice cannot create it twice (`createMany`'s default key, and a helper for
// callers who build their own).

/**
 * A key derived from a value's content (canonical JSON, 128-bit FNV-1a, hex): the same record always gets
 * the same key, so importing the same data twice cannot create it twice.
 */
export function contentIdempotencyKey(value: unknown): string {
  const text = canonicalJson(value);
  // Two independent 64-bit FNV-1a hashes (different offset bases) give 128 bits.
  return fnv1a64(text, 0xcbf2, 0x9ce4, 0x8422, 0x2325) + fnv1a64(text, 0x8422, 0x2325, 0xcbf2, 0x9ce4);
}

/**
 * 64-bit FNV-1a over UTF-16 code units, in four 16-bit limbs (h3 most significant) so that it runs on
 * plain numbers: BigInt arithmetic made hashing a 100-row chunk cost milliseconds. The prime is
 * 2^40 + 0x1b3, so a multiplication is the low limbs times 0x1b3 plus the low limbs shifted by 40 bits.
 */
function fnv1a64(text: string, h3: number, h2: number, h1: number, h0: number): string {
  for (let i = 0; i < text.length; i++) {
    h0 ^= text.charCodeAt(i);
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3;
    const t3 = h3 * 0x1b3;
    // 2^40 = limb 2 shifted by 8 bits: h0 lands in limb 2, h1 in limb 3.
    const c2 = t2 + (h0 << 8);
    const c3 = t3 + (h1 << 8);
    h0 = t0 & 0xffff;
    const n1 = t1 + (t0 >>> 16);
    h1 = n1 & 0xffff;
    const n2 = c2 + (n1 >>> 16);
    h2 = n2 & 0xffff;
    h3 = (c3 + (n2 >>> 16)) & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(limb: number): string {
  return limb.toString(16).padStart(4, "0");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

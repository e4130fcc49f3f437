// Which line first had a key, for reporting "the same customer as line N" in a file of any length.
// A Map of every key (32-character strings) costs ~100 bytes a row, ~100 MB for a million rows; this
// table keeps a 64-bit fingerprint of each key and its line in typed arrays instead: 12 bytes a slot,
// at most half the slots used, so ~25 MB for a million rows. Two different keys share a fingerprint
// with odds of about n²/2⁶⁵ (one in 37 million for a million rows); such a row would be reported as
// a repeat of the other one, never sent twice or lost silently.

/** Two different 32-bit hashes of `text` (FNV-1a, and a multiply-xorshift one), as a 64-bit fingerprint. */
function fingerprint(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return [a >>> 0, b >>> 0];
}

export class FirstLines {
  #high: Uint32Array;
  #low: Uint32Array;
  /** 0 marks a free slot: lines are numbered from 1. */
  #lines: Uint32Array;
  #size = 0;

  constructor(capacity = 1 << 12) {
    this.#high = new Uint32Array(capacity);
    this.#low = new Uint32Array(capacity);
    this.#lines = new Uint32Array(capacity);
  }

  /** The line `key` was first seen on; when it is new, records `line` for it and returns undefined. */
  firstLineOrAdd(key: string, line: number): number | undefined {
    const [high, low] = fingerprint(key);
    const slot = this.#find(high, low);
    const seen = this.#lines[slot]!;
    if (seen !== 0) return seen;
    this.#put(slot, high, low, line);
    if (++this.#size * 2 > this.#lines.length) this.#grow();
    return undefined;
  }

  /** The slot holding the fingerprint, or the free slot where it belongs (linear probing). */
  #find(high: number, low: number): number {
    const mask = this.#lines.length - 1;
    let slot = (low ^ high) & mask;
    while (this.#lines[slot] !== 0 && (this.#high[slot] !== high || this.#low[slot] !== low)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  #put(slot: number, high: number, low: number, line: number): void {
    this.#high[slot] = high;
    this.#low[slot] = low;
    this.#lines[slot] = line;
  }

  #grow(): void {
    const [high, low, lines] = [this.#high, this.#low, this.#lines];
    this.#high = new Uint32Array(lines.length * 2);
    this.#low = new Uint32Array(lines.length * 2);
    this.#lines = new Uint32Array(lines.length * 2);
    for (let slot = 0; slot < lines.length; slot++) {
      if (lines[slot] !== 0) {
        this.#put(this.#find(high[slot]!, low[slot]!), high[slot]!, low[slot]!, lines[slot]!);
      }
    }
  }
}

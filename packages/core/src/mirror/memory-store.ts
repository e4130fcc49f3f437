// A mirror store in memory, for tests and small apps: the same operations as the SQL stores, decided by
// core's rules in JavaScript. Its transactions run one at a time, and a failed one is undone.
import { advanceCheckpoint, goneAfterLoad, supersedes } from "./rules.js";
import type { MirrorStore, MirrorTransaction } from "./store.js";
import type { MaybePromise, MirrorCheckpoint, MirroredCustomer, MirrorMark, MirrorWrite } from "./types.js";

interface Entry {
  readonly mark: MirrorMark;
  /** The customer as last known (a tombstone keeps the state it was deleted in). */
  readonly customer: MirroredCustomer;
}

const key = (merchantId: string, id: string) => `${merchantId}\u0000${id}`;

/** A `MirrorStore` in memory; `customers(merchantId)` reads a merchant's mirror. */
export class MemoryMirrorStore implements MirrorStore {
  readonly #entries = new Map<string, Entry>();
  readonly #events = new Map<string, number>();
  readonly #checkpoints = new Map<string, MirrorCheckpoint>();
  #tail: Promise<unknown> = Promise.resolve();

  transaction<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T> {
    const result = this.#tail.then(() => this.#run(work));
    this.#tail = result.catch(() => {});
    return result;
  }

  async #run<T>(work: (tx: MirrorTransaction) => MaybePromise<T>): Promise<T> {
    const undo: Array<() => void> = [];
    try {
      return await work(this.#operations(undo));
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  /** The operations of one transaction; each records how to undo what it changed. */
  #operations(undo: Array<() => void>): MirrorTransaction {
    const set = <K, V>(map: Map<K, V>, k: K, value: V) => {
      const had = map.has(k);
      const before = map.get(k);
      undo.push(() => (had ? map.set(k, before as V) : map.delete(k)));
      map.set(k, value);
    };
    /** Writes a state if it supersedes the stored one; whether it did. */
    const writeOne = (merchantId: string, write: MirrorWrite) => {
      const k = key(merchantId, write.id);
      if (!supersedes(write.mark, this.#entries.get(k)?.mark)) return false;
      set(this.#entries, k, { mark: write.mark, customer: write.customer });
      return true;
    };
    return {
      applyEvent: ({ merchantId, eventId, at, write }) => {
        if (this.#events.has(key(merchantId, eventId))) return { claimed: false, written: false };
        set(this.#events, key(merchantId, eventId), at);
        return { claimed: true, written: write !== undefined && writeOne(merchantId, write) };
      },
      write: ({ merchantId, writes }) => writes.filter((write) => writeOne(merchantId, write)).length,
      tombstoneUnseen: ({ merchantId, before, at }) => {
        let deleted = 0;
        for (const [k, entry] of this.#entries) {
          if (!k.startsWith(key(merchantId, "")) || !goneAfterLoad(entry.mark, { before })) continue;
          set(this.#entries, k, { ...entry, mark: { version: entry.mark.version, at, deleted: true } });
          deleted++;
        }
        return deleted;
      },
      readCheckpoint: ({ merchantId }) => this.#checkpoints.get(merchantId),
      advanceCheckpoint: ({ merchantId, loadedAt, reconciledAt }) => {
        const next = advanceCheckpoint(this.#checkpoints.get(merchantId), { loadedAt, reconciledAt });
        if (next !== undefined) set(this.#checkpoints, merchantId, next);
      },
      forgetEvents: ({ merchantId, before }) => {
        const prefix = key(merchantId, "");
        const old = [...this.#events].filter(([k, handled]) => k.startsWith(prefix) && handled < before);
        for (const [k, handled] of old) {
          this.#events.delete(k);
          undo.push(() => this.#events.set(k, handled));
        }
      },
    };
  }

  // ---- reading the mirror ------------------------------------------------------------------------------

  /** The mark of a customer, live or tombstone; undefined when the mirror has never seen it. */
  mark(merchantId: string, id: string): MirrorMark | undefined {
    return this.#entries.get(key(merchantId, id))?.mark;
  }

  /** One live customer. */
  customer(merchantId: string, id: string): MirroredCustomer | undefined {
    const entry = this.#entries.get(key(merchantId, id));
    return entry?.mark.deleted ? undefined : entry?.customer;
  }

  /** Every live customer of a merchant. */
  customers(merchantId: string): MirroredCustomer[] {
    const prefix = key(merchantId, "");
    const live: MirroredCustomer[] = [];
    for (const [k, entry] of this.#entries) {
      if (k.startsWith(prefix) && !entry.mark.deleted) live.push(entry.customer);
    }
    return live;
  }

  checkpoint(merchantId: string): MirrorCheckpoint | undefined {
    return this.#checkpoints.get(merchantId);
  }

  /** Whether an event id is remembered as handled. */
  hasEvent(merchantId: string, eventId: string): boolean {
    return this.#events.has(key(merchantId, eventId));
  }
}

// The recent API requests, for the dashboard's live log: a bounded ring (the emulator may run for days)
// with a sequence number per entry, so a reader can ask for "everything after N" and a live stream can
// resume where it left off.
import type { OperationName } from "@square-customers/core";
import type { FaultKind } from "./faults.js";

/** One line of the request log (never holds the token or the body). */
export interface RequestLogEntry {
  readonly method: string;
  readonly path: string;
  readonly operation: OperationName | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
  /** The fault that changed the answer (latency is reported in `latencyMs`). */
  readonly fault: FaultKind | undefined;
  /** Injected latency waited out before the request was handled, when there was some. */
  readonly latencyMs?: number;
  /** The merchant the request's token belongs to (its id, never the token). */
  readonly merchant?: string;
  /** Set only when the emulator itself failed (a bug): the error it hit. */
  readonly error?: unknown;
}

/** A log entry as the admin API serves it: numbered, timestamped, the error as text. */
export interface LoggedRequest extends Omit<RequestLogEntry, "error"> {
  readonly seq: number;
  readonly at: string;
  readonly error?: string;
}

/** How many requests the log keeps. */
export const REQUEST_LOG_CAPACITY = 500;

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();
  private next = 1;

  constructor(private readonly capacity = REQUEST_LOG_CAPACITY) {}

  add(entry: RequestLogEntry): void {
    const { error, ...rest } = entry;
    const logged: LoggedRequest = {
      ...rest,
      seq: this.next++,
      at: new Date().toISOString(),
      ...(error === undefined ? {} : { error: String(error) }),
    };
    this.entries.push(logged);
    if (this.entries.length > this.capacity) this.entries.shift();
    for (const listener of this.listeners) listener(logged);
  }

  /** The kept entries numbered after `seq`, oldest first. */
  since(seq: number): LoggedRequest[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  /** Calls `listener` for every entry added from now on; returns the function that stops it. */
  subscribe(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every entry (numbering goes on, so a reader's "after N" stays meaningful). */
  clear(): void {
    this.entries.length = 0;
  }
}

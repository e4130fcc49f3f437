// The one log of API requests, read two ways:
// - the dashboard's live log: the last REQUEST_LOG_CAPACITY requests as one-line summaries, each with a
//   sequence number, so a reader can ask for "everything after N" and a live stream can resume;
// - the request journal for tests (`emulator.requests({ merchant, operation })`): what a test's code
//   sent — method, path, query, headers with the token redacted by core's rule, and the body — kept
//   for the last JOURNAL_CAPACITY requests and JOURNAL_MAX_BODY_BYTES of bodies, whichever is less.
// Both are bounded: the emulator may run for days.
import type { OperationName } from "@square-customers/core";
import { redactHeaders, redactor } from "@square-customers/core";
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
  /** When the request was answered, on the emulator's clock. */
  readonly at: string;
  readonly error?: string;
}

/** What a request carried, as the journal keeps it. */
export interface RequestContent {
  /** The raw query string, without `?` ("" when there was none). */
  readonly query: string;
  /** Every request header (lower-case names); `authorization` is `Bearer [REDACTED]`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as sent: parsed when it is JSON, else the text; absent when there was none. */
  readonly body?: unknown;
}

/** One request of the journal: what was sent, and what the emulator made of it. */
export interface JournaledRequest extends LoggedRequest, RequestContent {}

/** Which requests `emulator.requests(filter)` returns; every given field must match. */
export interface RequestFilter {
  /** A merchant id (`emulator.merchantId(token)`, or a test merchant's `merchantId`). */
  readonly merchant?: string;
  /** An operation name of core's table, or several. */
  readonly operation?: OperationName | readonly OperationName[];
}

/** How many requests the dashboard's log shows. */
export const REQUEST_LOG_CAPACITY = 500;
/** How many requests the journal keeps, at most. */
export const JOURNAL_CAPACITY = 10_000;
/** How many bytes of request bodies the journal keeps, at most (older requests go first). */
export const JOURNAL_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request as kept: its summary, and its content with the body still as text (parsed when read). */
interface Kept {
  readonly logged: LoggedRequest;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
  /** The body's size as received, counted against JOURNAL_MAX_BODY_BYTES. */
  readonly bytes: number;
}

/** A request as read from the socket, for the journal (the token is redacted before it is kept). */
export interface RawRequest {
  readonly query: string;
  readonly headers: NodeJS.Dict<string | string[]>;
  readonly body: Buffer;
  /** The bearer token, to redact wherever it appears. */
  readonly token: string | undefined;
}

export class RequestLog {
  /** Oldest first, from `head` on (earlier slots are spent, dropped now and then). */
  private entries: Kept[] = [];
  private head = 0;
  private bodyBytes = 0;
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();
  private next = 1;

  /** `now`: the emulator's clock, in milliseconds since the epoch. */
  constructor(
    private readonly now: () => number,
    private readonly capacity = JOURNAL_CAPACITY,
    private readonly maxBodyBytes = JOURNAL_MAX_BODY_BYTES,
  ) {}

  add(entry: RequestLogEntry, request: RawRequest): void {
    const { error, ...rest } = entry;
    const logged: LoggedRequest = {
      ...rest,
      seq: this.next++,
      at: new Date(this.now()).toISOString(),
      ...(error === undefined ? {} : { error: String(error) }),
    };
    const redact = redactor(request.token ?? "");
    const headers = redactHeaders(
      Object.entries(request.headers).map(([name, value]): [string, string] => [
        name,
        Array.isArray(value) ? value.join(", ") : (value ?? ""),
      ]),
      redact,
    );
    const bodyText = redact(request.body.toString("utf8"));
    this.entries.push({
      logged,
      query: redact(request.query),
      headers,
      bodyText,
      bytes: request.body.length,
    });
    this.bodyBytes += request.body.length;
    this.trim();
    for (const listener of this.listeners) listener(logged);
  }

  /** Drops the oldest requests beyond the capacity and the body budget. */
  private trim(): void {
    while (
      this.entries.length - this.head > 1 &&
      (this.entries.length - this.head > this.capacity || this.bodyBytes > this.maxBodyBytes)
    ) {
      this.bodyBytes -= this.entries[this.head]!.bytes;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** The dashboard's view: of the last REQUEST_LOG_CAPACITY requests, those numbered after `seq`. */
  since(seq: number): LoggedRequest[] {
    const from = Math.max(this.head, this.entries.length - REQUEST_LOG_CAPACITY);
    const out: LoggedRequest[] = [];
    for (let i = from; i < this.entries.length; i++) {
      const { logged } = this.entries[i]!;
      if (logged.seq > seq) out.push(logged);
    }
    return out;
  }

  /** The journal: every kept request matching `filter`, oldest first. */
  journal(filter: RequestFilter = {}): JournaledRequest[] {
    const operations =
      filter.operation === undefined
        ? undefined
        : new Set<string>(typeof filter.operation === "string" ? [filter.operation] : filter.operation);
    const out: JournaledRequest[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const kept = this.entries[i]!;
      const { logged } = kept;
      if (filter.merchant !== undefined && logged.merchant !== filter.merchant) continue;
      if (operations !== undefined && (logged.operation === undefined || !operations.has(logged.operation))) {
        continue;
      }
      out.push(journaled(kept));
    }
    return out;
  }

  /** Calls `listener` for every entry added from now on; returns the function that stops it. */
  subscribe(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every entry (numbering goes on, so a reader's "after N" stays meaningful). */
  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bodyBytes = 0;
  }
}

/** A kept request as the journal shows it: the body parsed when it is JSON. */
function journaled({ logged, query, headers, bodyText }: Kept): JournaledRequest {
  return {
    ...logged,
    query,
    headers: { ...headers },
    ...(bodyText === "" ? {} : { body: parseBody(bodyText) }),
  };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

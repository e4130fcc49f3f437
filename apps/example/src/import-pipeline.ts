// The import pipeline, on the Effect client, in one streamed pass over the file:
//   read a row → check it with core's rules (a bad row is reported at once and skipped) → hand the good
//   ones to `customers.createMany`, which sends bulk-create calls of up to 100, each row keyed by an
//   idempotency key derived from its content.
// Retries (429, 5xx, dropped connections) are the client's; because the keys never change, neither a
// retried call nor a second run of the same file can create a customer twice. The progress bar follows
// the bytes of the file, so it shows from the start without counting the rows first, and memory stays
// flat: only the rows in flight are held.

import { stat } from "node:fs/promises";
import {
  defaultRetrySchedule,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import type { BulkCreateCustomerData, SquareErrorDetail } from "@square-customers/core";
import { Deferred, Effect, Layer, Stream } from "effect";
import { FetchHttpClient, HttpClient } from "effect/http";
import { describeError } from "./errors.js";
import { type ImportFormat, type ImportRow, openImportRows, type ReadOptions } from "./import-rows.js";
import { n } from "./output.js";
import { createProgress } from "./progress.js";
import type { Target } from "./target.js";

export interface ImportSettings extends ReadOptions {
  readonly file: string;
  /** Rows per bulk-create call (1..100). */
  readonly chunkSize: number;
  /** Bulk-create calls in flight at once. */
  readonly concurrency: number;
  /** Retries per call for failures that may be retried. */
  readonly maxRetries: number;
  /** Called for each row that will not be sent, as it is found. */
  readonly onInvalid?: (row: RowProblem) => void;
  /** Label of the progress bar (none when `quiet`). */
  readonly label?: string;
  readonly quiet?: boolean;
  /** Aborting it stops the import (Ctrl-C): rows without an answer are reported, the rest are not sent. */
  readonly signal?: AbortSignal;
}

export interface RowProblem {
  readonly line: number;
  readonly reasons: readonly string[];
}

export interface ValidationReport {
  readonly file: string;
  readonly format: ImportFormat;
  /** Rows read (all of the file's unless the import stopped early: see `complete`). */
  readonly rows: number;
  readonly valid: number;
  /** Rows that will not be sent. */
  readonly invalid: number;
  /** The first `MAX_LISTED` invalid rows. */
  readonly invalidRows: readonly RowProblem[];
}

/** Every row read is counted in exactly one of invalid, imported, rejected, outcomeUnknown, notSent. */
export interface ImportReport extends ValidationReport {
  /** Rows that Square answered with a customer (newly created, or created by an earlier run). */
  readonly imported: number;
  /** Rows Square refused, with its reasons (the first `MAX_LISTED`), and how many in all. */
  readonly rejected: number;
  readonly rejectedRows: readonly RowProblem[];
  /**
   * Rows sent whose answer never came (the call failed after its retries, or the import was stopped
   * while it was in flight): they may or may not have been created. Running the import again settles
   * it, without duplicates.
   */
  readonly outcomeUnknown: number;
  readonly unknownRows: readonly RowProblem[];
  /** Valid rows read but not sent because the import stopped early. */
  readonly notSent: number;
  /** Whether the whole file was read. When not, rows after `lastLine` were neither read nor sent. */
  readonly complete: boolean;
  readonly lastLine: number;
  /** Ctrl-C stopped the import. */
  readonly interrupted: boolean;
  /** Why the import stopped before the end, when a failure stopped it. */
  readonly aborted?: string;
  /** HTTP attempts sent (retries included) and the status of each answer. */
  readonly http: { readonly attempts: number; readonly statuses: Readonly<Record<string, number>> };
  /** Customers in the account before and after (list with `count`); absent when it could not be read. */
  readonly customersBefore?: number;
  readonly customersAfter?: number;
}

export interface ImportResult {
  readonly report: ImportReport;
  /** The failure that stopped the import early, if one did. */
  readonly error?: unknown;
}

/** How many problem rows a report lists one by one (the counts are always complete). */
export const MAX_LISTED = 100;

/** What became of one row handed to `createMany`. */
type RowOutcome =
  | { readonly kind: "created"; readonly key: string }
  | { readonly kind: "rejected"; readonly key: string; readonly reasons: readonly string[] }
  | { readonly kind: "unknown"; readonly key: string; readonly reason: string }
  /** No more outcomes will come: every row handed over without one has an unknown outcome. */
  | { readonly kind: "stopped"; readonly error: unknown };

interface CreateManySettings {
  readonly chunkSize: number;
  readonly concurrency: number;
  /** Each row's key, already computed when the row was read. */
  readonly keyOf: (customer: BulkCreateCustomerData) => string;
}

/**
 * `customers.createMany` as a stream of row outcomes: the one place that reads its results, so that a
 * change in their shape is a change here alone. Never fails.
 */
function createManyOutcomes(
  square: SquareClientShape,
  customers: Stream.Stream<BulkCreateCustomerData, unknown>,
  settings: CreateManySettings,
): Stream.Stream<RowOutcome> {
  return square.customers
    .createMany(customers, {
      chunkSize: settings.chunkSize,
      concurrency: settings.concurrency,
      idempotencyKey: settings.keyOf,
    })
    .pipe(
      Stream.map(
        (result): RowOutcome =>
          result._tag === "Created"
            ? { kind: "created", key: result.idempotencyKey }
            : {
                kind: "rejected",
                key: result.idempotencyKey,
                reasons: result.errors.map((e) => `${describeDetail(e)}${result.sent ? "" : " (not sent)"}`),
              },
      ),
      // Today's createMany fails the whole stream when one bulk call fails after its retries (or when
      // reading the file fails): the rows of that call, and of any other in flight, may have been
      // applied or not.
      Stream.catch((error) => Stream.succeed<RowOutcome>({ kind: "stopped", error })),
    );
}

function describeDetail(error: SquareErrorDetail): string {
  return `${error.field ? `${error.field}: ` : ""}${error.detail ?? error.code} (${error.code})`;
}

/** Counts every row by what became of it, and lists the first `MAX_LISTED` of each kind of problem. */
class ImportTally {
  rows = 0;
  invalid = 0;
  imported = 0;
  rejected = 0;
  outcomeUnknown = 0;
  lastLine = 0;
  /** How far into the file every row is settled (read and invalid, or answered). */
  bytesDone = 0;
  readonly invalidRows: RowProblem[] = [];
  readonly rejectedRows: RowProblem[] = [];
  readonly unknownRows: RowProblem[] = [];
  /** Why no more rows are to be sent, once something says so (not set by Ctrl-C). */
  stopReason: string | undefined;
  /** The failure that ended createMany's stream, if one did. */
  stopError: unknown;
  /** Rows handed to createMany and not answered yet, by key. */
  readonly #pending = new Map<string, ImportRow>();
  /** The key of each customer handed over, for createMany (computing it again would cost as much). */
  readonly #keys = new WeakMap<BulkCreateCustomerData, string>();
  readonly #onInvalid: ((row: RowProblem) => void) | undefined;

  constructor(onInvalid: ((row: RowProblem) => void) | undefined) {
    this.#onInvalid = onInvalid;
  }

  get valid(): number {
    return this.rows - this.invalid;
  }

  /** Counts a row just read; reports it if it is invalid. Whether it is to be sent. */
  admit(row: ImportRow): boolean {
    this.rows++;
    this.lastLine = row.line;
    if (row.problems.length === 0) return true;
    this.invalid++;
    // Progress moves past an invalid row only when no row before it waits for an answer.
    if (this.#pending.size === 0) this.bytesDone = row.bytesRead;
    const problem = { line: row.line, reasons: row.problems };
    listed(this.invalidRows, problem);
    this.#onInvalid?.(problem);
    return false;
  }

  handOver(row: ImportRow): BulkCreateCustomerData {
    this.#pending.set(row.key, row);
    this.#keys.set(row.customer, row.key);
    return row.customer;
  }

  keyOf = (customer: BulkCreateCustomerData): string => this.#keys.get(customer)!;

  record(outcome: RowOutcome): void {
    if (outcome.kind === "stopped") {
      this.stopError = outcome.error;
      this.stopReason = describeError(outcome.error);
      return;
    }
    const row = this.#pending.get(outcome.key);
    this.#pending.delete(outcome.key);
    const line = row?.line ?? 0;
    if (row) this.bytesDone = Math.max(this.bytesDone, row.bytesRead);
    if (outcome.kind === "created") this.imported++;
    else if (outcome.kind === "rejected") {
      this.rejected++;
      listed(this.rejectedRows, { line, reasons: outcome.reasons });
    } else {
      this.#unknown(line, outcome.reason);
      // A call that failed after its retries: the next ones would too.
      this.stopReason ??= outcome.reason;
    }
  }

  /** Rows handed over that will get no answer now: their calls may or may not have been applied. */
  settleUnanswered(reason: string): void {
    for (const row of this.#pending.values()) this.#unknown(row.line, reason);
    this.#pending.clear();
  }

  #unknown(line: number, reason: string): void {
    this.outcomeUnknown++;
    listed(this.unknownRows, { line, reasons: [reason] });
  }

  status(retried: string): string {
    const parts = [`${n(this.imported)} imported`];
    if (this.invalid > 0) parts.push(`${n(this.invalid)} invalid`);
    if (this.rejected > 0) parts.push(`${n(this.rejected)} rejected`);
    if (this.outcomeUnknown > 0) parts.push(`${n(this.outcomeUnknown)} unknown`);
    return `${parts.join(" · ")}${retried ? ` ${retried}` : ""}`;
  }
}

function listed(list: RowProblem[], problem: RowProblem): void {
  if (list.length < MAX_LISTED) list.push(problem);
}

/** Reads and checks every row; nothing is sent (`import --dry-run`). */
export async function validateFile(
  settings: ReadOptions & { file: string; onInvalid?: (row: RowProblem) => void },
): Promise<ValidationReport> {
  const tally = new ImportTally(settings.onInvalid);
  for await (const row of await openImportRows(settings.file, settings)) tally.admit(row);
  const { rows, valid, invalid, invalidRows } = tally;
  return { file: settings.file, format: settings.format, rows, valid, invalid, invalidRows };
}

/**
 * The import against `target`. Resolves with the report even when the import stopped early (a failure
 * that outlasted the retries, Ctrl-C); fails only when nothing was sent: a file that cannot be read at
 * all, a server that does not answer the first request.
 */
export async function importFile(target: Target, settings: ImportSettings): Promise<ImportResult> {
  const rows = await openImportRows(settings.file, settings);
  const size = (await stat(settings.file)).size;
  const tally = new ImportTally(settings.onInvalid);
  const http = { attempts: 0, statuses: {} as Record<string, number> };
  let fileRead = false;
  async function* readToTheEnd(): AsyncGenerator<ImportRow> {
    yield* rows;
    fileRead = true;
  }

  // Shown before the first request, so the user sees the import start at once.
  const progress = createProgress(settings.label ?? "import", size, {
    quiet: settings.quiet ?? false,
    counts: false,
  });
  const update = () => progress.update(tally.bytesDone, tally.status(retriedText(http)));
  const program = Effect.gen(function* () {
    const square = yield* SquareClient;
    // Also the check that the server answers and takes the token: if it does not, stop before sending
    // anything rather than retrying every chunk against it.
    const customersBefore = yield* countCustomers(square);
    yield* sendRows(square, readToTheEnd(), tally, settings, update);
    const interrupted = tally.stopReason === undefined && settings.signal?.aborted === true;
    tally.settleUnanswered(tally.stopReason ?? "the import was interrupted before the answer came");
    if (fileRead) tally.bytesDone = size;
    update();
    progress.stop();
    const customersAfter =
      tally.stopReason !== undefined || interrupted
        ? undefined
        : yield* countCustomers(square).pipe(Effect.orElseSucceed(() => undefined));
    return { customersBefore, customersAfter, interrupted };
  });

  const { customersBefore, customersAfter, interrupted } = await Effect.runPromise(
    program.pipe(
      Effect.ensuring(Effect.sync(() => progress.stop())),
      Effect.provide(squareClientLayer(target, settings.maxRetries, http)),
    ),
  );
  const answered = tally.imported + tally.rejected + tally.outcomeUnknown;
  const report: ImportReport = {
    file: settings.file,
    format: settings.format,
    rows: tally.rows,
    valid: tally.valid,
    invalid: tally.invalid,
    invalidRows: tally.invalidRows,
    imported: tally.imported,
    rejected: tally.rejected,
    rejectedRows: tally.rejectedRows,
    outcomeUnknown: tally.outcomeUnknown,
    unknownRows: tally.unknownRows,
    notSent: tally.valid - answered,
    complete: fileRead,
    lastLine: tally.lastLine,
    interrupted,
    ...(tally.stopReason === undefined ? {} : { aborted: tally.stopReason }),
    http,
    ...(customersBefore === undefined ? {} : { customersBefore }),
    ...(customersAfter === undefined ? {} : { customersAfter }),
  };
  return tally.stopError === undefined ? { report } : { report, error: tally.stopError };
}

/**
 * Streams the valid rows through createMany, every outcome into `tally`, until the end of the file, a
 * failure that outlasted the retries, or the signal (Ctrl-C). Rows in flight when it stops stay pending
 * in the tally.
 */
function sendRows(
  square: SquareClientShape,
  rows: AsyncIterable<ImportRow>,
  tally: ImportTally,
  settings: ImportSettings,
  onProgress: () => void,
): Effect.Effect<void> {
  return Effect.gen(function* () {
    const stop = yield* Deferred.make<void>();
    const stopNow = () => Deferred.doneUnsafe(stop, Effect.void);
    if (settings.signal?.aborted) stopNow();
    settings.signal?.addEventListener("abort", stopNow, { once: true });
    const customers = Stream.fromAsyncIterable(rows, (error) => error).pipe(
      Stream.filter((row) => {
        const send = tally.admit(row);
        if (!send) onProgress();
        return send;
      }),
      Stream.map((row) => tally.handOver(row)),
    );
    yield* createManyOutcomes(square, customers, { ...settings, keyOf: tally.keyOf }).pipe(
      Stream.interruptWhen(Deferred.await(stop)),
      Stream.runForEachArray((outcomes) =>
        Effect.sync(() => {
          for (const outcome of outcomes) tally.record(outcome);
          if (tally.stopReason !== undefined) stopNow();
          onProgress();
        }),
      ),
    );
    settings.signal?.removeEventListener("abort", stopNow);
  });
}

/** The Effect client for `target`, with HTTP attempts and answer statuses counted below it (retries too). */
function squareClientLayer(
  target: Target,
  maxRetries: number,
  http: { attempts: number; statuses: Record<string, number> },
) {
  const countingHttp = Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient;
      return client.pipe(
        HttpClient.tapRequest(() => Effect.sync(() => http.attempts++)),
        HttpClient.tap((response) =>
          Effect.sync(() => {
            http.statuses[response.status] = (http.statuses[response.status] ?? 0) + 1;
          }),
        ),
      );
    }),
  ).pipe(Layer.provide(FetchHttpClient.layer));
  return SquareClient.layer({
    accessToken: target.accessToken,
    environment: target.environment,
    retrySchedule: defaultRetrySchedule({ maxRetries }),
  }).pipe(Layer.provide(countingHttp));
}

/**
 * The account's customer count (one list call with `count`), or undefined for a token that may create
 * customers but not read them.
 */
function countCustomers(square: SquareClientShape): Effect.Effect<number | undefined, SquareClientError> {
  return square.customers.list({ limit: 1, count: true }).pipe(
    Effect.map((page) => page.count),
    Effect.catchTag("SquareForbidden", () => Effect.succeed(undefined)),
  );
}

function retriedText(http: ImportReport["http"]): string {
  const retried = failedStatuses(http);
  return retried.length === 0
    ? ""
    : `(retried after ${retried.map(([s, count]) => `${count}× ${s}`).join(", ")})`;
}

/** Answers other than 2xx (each one retried, unless the import stopped), as `[status, count]`. */
export function failedStatuses(http: ImportReport["http"]): [string, number][] {
  return Object.entries(http.statuses).filter(([status]) => !status.startsWith("2"));
}

/** Attempts that got no answer at all (a dropped connection, a timeout). */
export function unanswered(http: ImportReport["http"]): number {
  return http.attempts - Object.values(http.statuses).reduce((a, b) => a + b, 0);
}

// The import pipeline, on the Effect client, in one streamed pass over the file:
//   read a row → check it with core's rules (a bad row is reported at once and skipped) → hand the good
//   ones to `customers.createMany`, which sends bulk-create calls of up to 100, each row keyed by an
//   idempotency key derived from its content.
// Retries (429, 5xx, dropped connections) are the client's; because the keys never change, neither a
// retried call nor a second run of the same file can create a customer twice. Memory stays flat: only
// the rows in flight are held. The caller opens the file and shows the progress bar (by bytes of the
// file, so it needs no row count) before loading this module, which loads Effect.
import {
  type CreateManyResult,
  defaultRetrySchedule,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import type { BulkCreateCustomerData, SquareErrorDetail } from "@square-customers/core";
import { Deferred, Effect, Layer, Stream } from "effect";
import { FetchHttpClient, HttpClient } from "effect/http";
import { describeError } from "./errors.js";
import {
  type ImportResult,
  ImportTally,
  type RowOutcome,
  type RowProblem,
  retriedText,
} from "./import-report.js";
import type { ImportFormat, ImportRow } from "./import-rows.js";
import type { Progress } from "./progress.js";
import type { Target } from "./target.js";

export interface ImportSettings {
  readonly file: string;
  readonly format: ImportFormat;
  /** The file's rows (`openImportRows`: its start is checked already). */
  readonly rows: AsyncIterable<ImportRow>;
  /** The file's size in bytes, the progress bar's total. */
  readonly size: number;
  /** Shown by the caller already; stopped here. */
  readonly progress: Progress;
  /** Rows per bulk-create call (1..100). */
  readonly chunkSize: number;
  /** Bulk-create calls in flight at once. */
  readonly concurrency: number;
  /** Retries per call for failures that may be retried. */
  readonly maxRetries: number;
  /** Called for each row that will not be sent, as it is found. */
  readonly onInvalid?: (row: RowProblem) => void;
  /** Aborting it stops the import (Ctrl-C): rows without an answer are reported, the rest are not sent. */
  readonly signal?: AbortSignal;
}

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
      Stream.map((result) => rowOutcome(result)),
      // The stream fails only when reading the file fails (each bulk call's failure is a result).
      Stream.catch((error) => Stream.succeed<RowOutcome>({ kind: "stopped", error })),
    );
}

/** What became of a row, from its createMany result (core's outcomes, the same in both clients). */
function rowOutcome(result: CreateManyResult): RowOutcome {
  const key = result.idempotencyKey;
  switch (result.outcome) {
    case "created":
      return { kind: "created", key };
    case "rejected":
      return {
        kind: "rejected",
        key,
        reasons: result.errors.map((e) => `${describeDetail(e)}${result.sent ? "" : " (not sent)"}`),
      };
    case "unknown":
      return {
        kind: "unknown",
        key,
        reason:
          result.error === undefined
            ? result.errors.map(describeDetail).join("; ")
            : describeError(result.error),
      };
  }
}

function describeDetail(error: SquareErrorDetail): string {
  return `${error.field ? `${error.field}: ` : ""}${error.detail ?? error.code} (${error.code})`;
}

/**
 * The import against `target`. Resolves with the report even when the import stopped early (a failure
 * that outlasted the retries, Ctrl-C); fails only when nothing was sent: a file that cannot be read at
 * all, a server that does not answer the first request.
 */
export async function importFile(target: Target, settings: ImportSettings): Promise<ImportResult> {
  const { size, progress } = settings;
  const tally = new ImportTally(settings.onInvalid);
  const http = { attempts: 0, statuses: {} as Record<string, number> };
  let fileRead = false;
  async function* readToTheEnd(): AsyncGenerator<ImportRow> {
    yield* settings.rows;
    fileRead = true;
  }
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
  const report = tally.report({
    file: settings.file,
    format: settings.format,
    complete: fileRead,
    interrupted,
    http,
    ...(customersBefore === undefined ? {} : { customersBefore }),
    ...(customersAfter === undefined ? {} : { customersAfter }),
  });
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
    const customers = Stream.fromAsyncIterable(rows, (error: unknown) => error).pipe(
      Stream.filter((row) => {
        const send = tally.admit(row);
        if (!send) onProgress();
        return send;
      }),
      // Rows are looked up by the ids they carry a chunk at a time (one bulk-retrieve per chunk with ids).
      Stream.grouped(settings.chunkSize),
      Stream.mapEffect((group) => withoutExisting(square, group, tally, onProgress)),
      Stream.flattenIterable,
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

/**
 * The rows of `group` to send: those whose `id` (an exported file's) is a customer of the account are
 * already there, so they are counted as such and left out. Importing an export into the account it came
 * from would otherwise create every customer a second time: the ids are Square's, not the rows' content.
 */
function withoutExisting(
  square: SquareClientShape,
  group: readonly ImportRow[],
  tally: ImportTally,
  onProgress: () => void,
): Effect.Effect<readonly ImportRow[], SquareClientError> {
  const ids = [...new Set(group.flatMap((row) => (row.id ? [row.id] : [])))];
  if (ids.length === 0) return Effect.succeed(group);
  return square.customers.bulkRetrieve({ customer_ids: ids }).pipe(
    Effect.map(({ responses }) => {
      const found = new Set(ids.filter((id) => responses[id]?.customer !== undefined));
      const send = group.filter((row) => row.id === undefined || !found.has(row.id));
      for (const row of group) if (row.id !== undefined && found.has(row.id)) tally.skipExisting(row);
      if (send.length < group.length) onProgress();
      return send;
    }),
  );
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

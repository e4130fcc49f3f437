// The import pipeline, on the Effect client. Two passes over the file, both streamed:
//   1. read and validate every row with core's rules, so every bad row is reported (and a malformed
//      file is refused) before anything is sent;
//   2. stream the valid rows into `customers.createMany`, which sends bulk-create calls of up to 100,
//      each row keyed by an idempotency key derived from its content. Retries (429, 5xx, dropped
//      connections) are the client's; because the keys never change, neither a retried call nor a
//      second run of the same file can create a customer twice.
import {
  type CreateManyResult,
  defaultRetrySchedule,
  SquareClient,
  type SquareClientError,
  type SquareClientShape,
} from "@square-customers/client-effect";
import { Effect, Layer, Stream } from "effect";
import { FetchHttpClient, HttpClient } from "effect/http";
import { type ImportRow, readImportRows } from "./csv-input.js";
import { describeError } from "./errors.js";
import { createProgress } from "./progress.js";
import type { Target } from "./target.js";

export interface ImportSettings {
  readonly file: string;
  /** Rows per bulk-create call (1..100). */
  readonly chunkSize: number;
  /** Bulk-create calls in flight at once. */
  readonly concurrency: number;
  /** Retries per call for failures that may be retried. */
  readonly maxRetries: number;
  /** Called for each row that will not be sent, as validation finds it. */
  readonly onInvalid?: (row: ImportRow) => void;
  /** Label of the progress bar (none when `quiet`). */
  readonly label?: string;
  readonly quiet?: boolean;
}

export interface RowProblem {
  readonly line: number;
  readonly reasons: readonly string[];
}

export interface ValidationReport {
  readonly file: string;
  readonly rows: number;
  readonly valid: number;
  /** Rows that will not be sent. */
  readonly invalid: number;
  /** The first `MAX_LISTED` invalid rows. */
  readonly invalidRows: readonly RowProblem[];
}

export interface ImportReport extends ValidationReport {
  /** Rows that Square answered with a customer (newly created, or created by an earlier run). */
  readonly imported: number;
  /** Rows Square refused, with its reasons (the first `MAX_LISTED`), and how many in all. */
  readonly rejected: number;
  readonly rejectedRows: readonly RowProblem[];
  /** Valid rows with no answer because the import stopped early (see `aborted`). */
  readonly notSent: number;
  /** Why the import stopped before the end, if it did. */
  readonly aborted?: string;
  /** HTTP attempts sent (retries included) and the status of each answer. */
  readonly http: { readonly attempts: number; readonly statuses: Readonly<Record<string, number>> };
  /** Customers in the account before and after (list with `count`); absent when it could not be read. */
  readonly customersBefore?: number;
  readonly customersAfter?: number;
}

/** How many problem rows a report lists one by one (the counts are always complete). */
export const MAX_LISTED = 100;

/** Pass 1: every row read and checked; nothing is sent. */
export async function validateFile(
  file: string,
  onInvalid?: (row: ImportRow) => void,
): Promise<ValidationReport> {
  let rows = 0;
  let invalid = 0;
  const invalidRows: RowProblem[] = [];
  for await (const row of readImportRows(file)) {
    rows++;
    if (row.problems.length === 0) continue;
    invalid++;
    if (invalidRows.length < MAX_LISTED) invalidRows.push({ line: row.line, reasons: row.problems });
    onInvalid?.(row);
  }
  return { file, rows, valid: rows - invalid, invalid, invalidRows };
}

/** Both passes against `target`. Resolves with the report even when the import stopped early. */
export async function importFile(target: Target, settings: ImportSettings): Promise<ImportReport> {
  const validation = await validateFile(settings.file, settings.onInvalid);

  // HTTP attempts and answer statuses, counted below the client so retries show up too.
  const http = { attempts: 0, statuses: {} as Record<string, number> };
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
  const client = SquareClient.layer({
    accessToken: target.accessToken,
    environment: target.environment,
    retrySchedule: defaultRetrySchedule({ maxRetries: settings.maxRetries }),
  }).pipe(Layer.provide(countingHttp));

  const tally = { imported: 0, rejected: 0, rejectedRows: [] as RowProblem[] };
  const retriedText = () => {
    const retried = failedStatuses(http);
    return retried.length === 0
      ? ""
      : `(retried after ${retried.map(([s, count]) => `${count}× ${s}`).join(", ")})`;
  };

  const program = Effect.gen(function* () {
    const square = yield* SquareClient;
    // Also the check that the server answers and takes the token: if it does not, stop before sending
    // anything rather than retrying every chunk against it.
    const customersBefore = yield* countCustomers(square);
    const progress = createProgress(settings.label ?? "import", validation.valid, {
      quiet: settings.quiet ?? false,
    });
    // Lines of rows sent but not yet answered: results carry the key, the report wants the line.
    const lineOf = new Map<string, number>();
    const rows = Stream.fromAsyncIterable(readImportRows(settings.file), (error) => error).pipe(
      Stream.filter((row) => row.problems.length === 0),
      Stream.map((row) => {
        lineOf.set(row.key, row.line);
        return row.customer;
      }),
    );
    const record = (result: CreateManyResult) =>
      Effect.sync(() => {
        const line = lineOf.get(result.idempotencyKey) ?? 0;
        lineOf.delete(result.idempotencyKey);
        if (result.outcome === "created") {
          tally.imported++;
        } else {
          tally.rejected++;
          if (tally.rejectedRows.length < MAX_LISTED) {
            const reasons = result.errors.map(
              (e) => `${e.field ? `${e.field}: ` : ""}${e.detail ?? e.code} (${e.code})`,
            );
            tally.rejectedRows.push({ line, reasons });
          }
        }
        progress.update(tally.imported + tally.rejected, retriedText());
      });
    const outcome = yield* square.customers
      .createMany(rows, { chunkSize: settings.chunkSize, concurrency: settings.concurrency })
      .pipe(Stream.runForEach(record), Effect.result);
    progress.stop();
    const aborted = outcome._tag === "Failure" ? describeError(outcome.failure) : undefined;
    const customersAfter = aborted
      ? undefined
      : yield* countCustomers(square).pipe(Effect.orElseSucceed(() => undefined));
    return { customersBefore, customersAfter, aborted };
  });

  const { customersBefore, customersAfter, aborted } = await Effect.runPromise(
    program.pipe(Effect.provide(client)),
  );
  const answered = tally.imported + tally.rejected;
  return {
    ...validation,
    imported: tally.imported,
    rejected: tally.rejected,
    rejectedRows: tally.rejectedRows,
    notSent: validation.valid - answered,
    ...(aborted === undefined ? {} : { aborted }),
    http,
    ...(customersBefore === undefined ? {} : { customersBefore }),
    ...(customersAfter === undefined ? {} : { customersAfter }),
  };
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

/** Answers other than 2xx (each one retried, unless the import stopped), as `[status, count]`. */
export function failedStatuses(http: ImportReport["http"]): [string, number][] {
  return Object.entries(http.statuses).filter(([status]) => !status.startsWith("2"));
}

/** Attempts that got no answer at all (a dropped connection, a timeout). */
export function unanswered(http: ImportReport["http"]): number {
  return http.attempts - Object.values(http.statuses).reduce((a, b) => a + b, 0);
}

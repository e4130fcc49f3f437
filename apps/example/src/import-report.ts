// What an import did, row by row: the counts and lists a report shows, kept by `ImportTally` as rows
// are read and answered. No Effect here, so `import --dry-run` and the start of an import (the progress
// bar, header checks) do not wait for the Effect client to load.

import type { BulkCreateCustomerData } from "@square-customers/core";
import { describeError } from "./errors.js";
import type { ImportFormat, ImportRow } from "./import-rows.js";
import { n } from "./output.js";

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

/**
 * Every row read is counted in exactly one of invalid, existing, imported, rejected, outcomeUnknown,
 * notSent.
 */
export interface ImportReport extends ValidationReport {
  /**
   * Rows whose `id` (a file written by `customers export`) is a customer of the account: already there,
   * so not sent (importing them would create each one again). The first `MAX_LISTED`, and how many.
   */
  readonly existing: number;
  readonly existingRows: readonly RowProblem[];
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
export type RowOutcome =
  | { readonly kind: "created"; readonly key: string }
  | { readonly kind: "rejected"; readonly key: string; readonly reasons: readonly string[] }
  | { readonly kind: "unknown"; readonly key: string; readonly reason: string }
  /** No more outcomes will come: every row handed over without one has an unknown outcome. */
  | { readonly kind: "stopped"; readonly error: unknown };

/** Counts every row by what became of it, and lists the first `MAX_LISTED` of each kind of problem. */
export class ImportTally {
  rows = 0;
  invalid = 0;
  existing = 0;
  imported = 0;
  rejected = 0;
  outcomeUnknown = 0;
  lastLine = 0;
  /** How far into the file every row is settled (read and invalid, or answered). */
  bytesDone = 0;
  readonly invalidRows: RowProblem[] = [];
  readonly existingRows: RowProblem[] = [];
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

  /** Counts a valid row that is not sent because its id is a customer of the account already. */
  skipExisting(row: ImportRow): void {
    this.existing++;
    if (this.#pending.size === 0) this.bytesDone = row.bytesRead;
    listed(this.existingRows, { line: row.line, reasons: [`customer ${row.id} is in the account already`] });
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

  /** The report, from the counts and what the pipeline knows (`base`). */
  report(
    base: Pick<
      ImportReport,
      "file" | "format" | "complete" | "interrupted" | "http" | "customersBefore" | "customersAfter"
    >,
  ): ImportReport {
    return {
      ...base,
      rows: this.rows,
      valid: this.valid,
      invalid: this.invalid,
      invalidRows: this.invalidRows,
      existing: this.existing,
      existingRows: this.existingRows,
      imported: this.imported,
      rejected: this.rejected,
      rejectedRows: this.rejectedRows,
      outcomeUnknown: this.outcomeUnknown,
      unknownRows: this.unknownRows,
      notSent: this.valid - this.existing - this.imported - this.rejected - this.outcomeUnknown,
      lastLine: this.lastLine,
      ...(this.stopReason === undefined ? {} : { aborted: this.stopReason }),
    };
  }

  status(retried: string): string {
    const parts = [`${n(this.imported)} imported`];
    if (this.invalid > 0) parts.push(`${n(this.invalid)} invalid`);
    if (this.existing > 0) parts.push(`${n(this.existing)} already there`);
    if (this.rejected > 0) parts.push(`${n(this.rejected)} rejected`);
    if (this.outcomeUnknown > 0) parts.push(`${n(this.outcomeUnknown)} unknown`);
    return `${parts.join(" · ")}${retried ? ` ${retried}` : ""}`;
  }
}

function listed(list: RowProblem[], problem: RowProblem): void {
  if (list.length < MAX_LISTED) list.push(problem);
}

/** Reads and checks every row; nothing is sent (`import --dry-run`). */
export async function validateRows(
  rows: AsyncIterable<ImportRow>,
  settings: {
    file: string;
    format: ImportFormat;
    onInvalid?: (row: RowProblem) => void;
    /** Stops the reading (Ctrl-C): the report covers the rows read so far. */
    signal?: AbortSignal;
  },
): Promise<ValidationReport> {
  const tally = new ImportTally(settings.onInvalid);
  for await (const row of rows) {
    if (settings.signal?.aborted) break;
    tally.admit(row);
  }
  const { rows: read, valid, invalid, invalidRows } = tally;
  return { file: settings.file, format: settings.format, rows: read, valid, invalid, invalidRows };
}

export function retriedText(http: ImportReport["http"]): string {
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

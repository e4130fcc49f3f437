// `customers import <file.csv | file.json>`: check every row and bulk-create the valid ones with the
// Effect client, in one pass (see import-pipeline.ts). Problems go to stderr as `file:line: reason` as
// they are found; the summary goes to stdout (or, with --json, the whole report as JSON and nothing else).
import { stat } from "node:fs/promises";
import { confirmWrite } from "../confirm.js";
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, exitCodeOf } from "../errors.js";
import {
  type ImportReport,
  type ImportResult,
  MAX_LISTED,
  type RowProblem,
  unanswered,
  validateRows,
} from "../import-report.js";
import { assertReadable, type ImportFormat, importFormat, openImportRows } from "../import-rows.js";
import { listenForInterrupt } from "../interrupt.js";
import { n, note } from "../output.js";
import { createProgress } from "../progress.js";
import { openTarget, type Target, type TargetOptions } from "../target.js";

export interface ImportOptions extends TargetOptions {
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly maxRetries: number;
  readonly format?: ImportFormat;
  readonly delimiter: string;
  readonly dryRun?: boolean;
  /** Exit 1 when any row is invalid (by default invalid rows are reported, skipped, and exit 0). */
  readonly strict?: boolean;
  readonly json?: boolean;
  readonly yes?: boolean;
}

/** What to tell a user whose import did not finish; the same words in every case. */
export const RESUME_HINT = "run the same command again; rows already imported are skipped";

export async function importCommand(file: string, options: ImportOptions): Promise<void> {
  await assertReadable(file);
  const format = importFormat(file, options.format);
  let shown = 0;
  const onInvalid = (row: RowProblem) => {
    if (options.json) return;
    if (shown++ < MAX_LISTED) note(`${file}:${row.line}: ${row.reasons.join("; ")}`);
    else if (shown === MAX_LISTED + 1) note(`${file}: … more invalid rows (counted in the summary)`);
  };

  // The start of the file (the CSV header, the JSON array's bracket) is checked first: a file that cannot
  // be imported at all is refused before anything is asked or sent.
  const rows = await openImportRows(file, { format, delimiter: options.delimiter });
  if (options.dryRun) {
    const interruption = listenForInterrupt();
    const report = await validateRows(rows, { file, format, onInvalid, signal: interruption.signal });
    interruption.dispose();
    if (interruption.signal.aborted)
      note(`Interrupted after ${n(report.rows)} rows: the rest of the file was not checked.`);
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, ...report }, null, 2)}\n`);
    else
      process.stdout.write(
        `Dry run of ${file}: ${n(report.rows)} rows, ${n(report.valid)} valid, ${n(report.invalid)} invalid. Nothing was sent.\n`,
      );
    process.exitCode = options.strict && report.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
    return;
  }

  await confirmWrite(options, `import the customers of ${file}`);
  const target = await openTarget(options);
  const size = (await stat(file)).size;
  const progress = createProgress("import", size, { quiet: options.json ?? false, counts: false });
  const interruption = listenForInterrupt();
  let result: ImportResult;
  try {
    // Loaded only now, with the bar on the screen: the Effect client takes a moment to load.
    const { importFile } = await import("../import-pipeline.js");
    result = await importFile(target, {
      ...options,
      file,
      format,
      rows,
      size,
      progress,
      onInvalid,
      signal: interruption.signal,
    });
  } finally {
    progress.stop();
    interruption.dispose();
    await target.close();
  }
  const { report, error } = result;
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const row of report.rejectedRows)
      note(`${file}:${row.line}: rejected by Square: ${row.reasons.join("; ")}`);
    process.stdout.write(formatImportSummary(report, target));
    if (target.kind === "embedded") {
      note("The embedded emulator ended with this command; import with --url to keep the customers.");
    }
  }
  if (report.interrupted) {
    note(`Interrupted: ${RESUME_HINT}.`);
    process.exitCode = EXIT_INTERRUPTED;
  } else if (report.aborted) {
    throw new CliError(
      `import stopped early: ${report.aborted}\n  ${RESUME_HINT}`,
      error === undefined ? EXIT_FAILURE : exitCodeOf(error),
    );
  } else {
    process.exitCode = importExitCode(report, options.strict ?? false);
  }
}

/**
 * The policy: an import succeeds when every row it could send went in. Invalid rows are reported by line
 * and skipped, and rows already in the account are skipped too; neither fails it, unless `strict` (any
 * invalid row fails). Rows Square refused, or whose outcome is unknown, or that were not sent, do.
 */
export function importExitCode(report: ImportReport, strict: boolean): number {
  if (report.rejected + report.outcomeUnknown + report.notSent > 0) return EXIT_FAILURE;
  return strict && report.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * "1,995: 0 new, 1,995 already there": rows Square answered with a customer, split by the account's
 * count before and after into new ones and ones an earlier import of the same rows had created (their
 * idempotency keys are the same, so Square returned those customers instead of creating them again).
 */
function importedText(imported: number, before: number | undefined, after: number | undefined): string {
  if (imported === 0 || before === undefined || after === undefined) return n(imported);
  const created = Math.min(imported, Math.max(0, after - before));
  if (created === imported) return `${n(imported)} new`;
  return `${n(imported)}: ${n(created)} new, ${n(imported - created)} already there (from an earlier import of the same rows)`;
}

/** The human summary of an import (also used by the demo). */
export function formatImportSummary(report: ImportReport, target: Pick<Target, "label" | "kind">): string {
  const answers = Object.entries(report.http.statuses).map(([status, count]) => `${n(count)}× ${status}`);
  const dropped = unanswered(report.http);
  if (dropped > 0) answers.push(`${n(dropped)} without answer`);
  const listedAbove = (count: number) => `${n(count)}${count > 0 ? "  (listed above)" : ""}`;
  const { customersBefore: before, customersAfter: after } = report;
  const lines: [string, string][] = [
    ["file", report.file],
    ["into", target.label],
    [
      "rows read",
      `${n(report.rows)}${report.complete ? "" : `  (stopped at line ${n(report.lastLine)}: the rest of the file was not read)`}`,
    ],
    ["invalid, not sent", listedAbove(report.invalid)],
  ];
  if (report.existing > 0) {
    lines.push([
      "already in the account",
      `${n(report.existing)}  (their id is a customer of this account: not sent, not duplicated)`,
    ]);
  }
  lines.push(["imported", importedText(report.imported, before, after)]);
  lines.push(["rejected by Square", listedAbove(report.rejected)]);
  if (report.outcomeUnknown > 0) {
    lines.push(["outcome unknown", `${n(report.outcomeUnknown)}  (run the same command again to confirm)`]);
  }
  if (report.notSent > 0) lines.push(["not sent (stopped early)", n(report.notSent)]);
  lines.push([
    "HTTP requests",
    `${n(report.http.attempts)}${answers.length > 0 ? ` (${answers.join(", ")})` : ""}`,
  ]);
  if (before !== undefined && after !== undefined) {
    lines.push(["customers in account", `${n(before)} → ${n(after)}`]);
  }
  const width = Math.max(...lines.map(([label]) => label.length));
  let text = `\nImport\n${lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}\n`;
  if (target.kind === "square") text += "  (Square's list can take a few seconds to show new customers.)\n";
  return text;
}

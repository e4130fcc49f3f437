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
    const report = await validateRows(rows, { file, format, onInvalid });
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, ...report }, null, 2)}\n`);
    else
      process.stdout.write(
        `Dry run of ${file}: ${n(report.rows)} rows, ${n(report.valid)} valid, ${n(report.invalid)} invalid. Nothing was sent.\n`,
      );
    process.exitCode = report.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
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
    const notImported = report.invalid + report.rejected + report.outcomeUnknown + report.notSent;
    process.exitCode = notImported > 0 ? EXIT_FAILURE : EXIT_OK;
  }
}

/** The human summary of an import (also used by the demo). */
export function formatImportSummary(report: ImportReport, target: Pick<Target, "label" | "kind">): string {
  const answers = Object.entries(report.http.statuses).map(([status, count]) => `${n(count)}× ${status}`);
  const dropped = unanswered(report.http);
  if (dropped > 0) answers.push(`${n(dropped)} without answer`);
  const listedAbove = (count: number) => `${n(count)}${count > 0 ? "  (listed above)" : ""}`;
  const lines: [string, string][] = [
    ["file", report.file],
    ["into", target.label],
    [
      "rows read",
      `${n(report.rows)}${report.complete ? "" : `  (stopped at line ${n(report.lastLine)}: the rest of the file was not read)`}`,
    ],
    ["invalid, not sent", listedAbove(report.invalid)],
    ["imported", n(report.imported)],
    ["rejected by Square", listedAbove(report.rejected)],
  ];
  if (report.outcomeUnknown > 0) {
    lines.push(["outcome unknown", `${n(report.outcomeUnknown)}  (run the same command again to confirm)`]);
  }
  if (report.notSent > 0) lines.push(["not sent (stopped early)", n(report.notSent)]);
  lines.push([
    "HTTP requests",
    `${n(report.http.attempts)}${answers.length > 0 ? ` (${answers.join(", ")})` : ""}`,
  ]);
  const { customersBefore: before, customersAfter: after } = report;
  if (before !== undefined && after !== undefined) {
    lines.push([
      "customers in account",
      `${n(before)} → ${n(after)} (${after >= before ? "+" : ""}${n(after - before)})`,
    ]);
  }
  const width = Math.max(...lines.map(([label]) => label.length));
  let text = `\nImport\n${lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}\n`;
  if (before !== undefined && after !== undefined && after - before < report.imported) {
    text += `  ${n(report.imported - (after - before))} row(s) were already in the account from an earlier import (same idempotency keys), so not created again.\n`;
  }
  if (target.kind === "square") text += "  (Square's list can take a few seconds to show new customers.)\n";
  return text;
}

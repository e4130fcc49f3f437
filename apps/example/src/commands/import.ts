// `customers import <file.csv>`: validate every row, then bulk-create the valid ones with the Effect
// client (see import-pipeline.ts). Problems go to stderr as `file:line: reason` as they are found; the
// summary goes to stdout (or, with --json, the whole report as JSON and nothing else).
import { assertReadable, type ImportRow } from "../csv-input.js";
import { CliError, EXIT_FAILURE, EXIT_OK } from "../errors.js";
import { type ImportReport, importFile, MAX_LISTED, unanswered, validateFile } from "../import-pipeline.js";
import { n, note } from "../output.js";
import { openTarget, type Target, type TargetOptions } from "../target.js";

export interface ImportOptions extends TargetOptions {
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly maxRetries: number;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export async function importCommand(file: string, options: ImportOptions): Promise<void> {
  await assertReadable(file);
  let shown = 0;
  const onInvalid = (row: ImportRow) => {
    if (options.json) return;
    if (shown++ < MAX_LISTED) note(`${file}:${row.line}: ${row.problems.join("; ")}`);
    else if (shown === MAX_LISTED + 1) note(`${file}: … more invalid rows (counted in the summary)`);
  };

  if (options.dryRun) {
    const report = await validateFile(file, onInvalid);
    if (options.json) process.stdout.write(`${JSON.stringify({ dryRun: true, ...report }, null, 2)}\n`);
    else
      process.stdout.write(
        `Dry run of ${file}: ${n(report.rows)} rows, ${n(report.valid)} valid, ${n(report.invalid)} invalid. Nothing was sent.\n`,
      );
    process.exitCode = report.invalid > 0 ? EXIT_FAILURE : EXIT_OK;
    return;
  }

  const target = await openTarget(options);
  let report: ImportReport;
  try {
    report = await importFile(target, { file, ...options, onInvalid, quiet: options.json ?? false });
  } finally {
    await target.close();
  }
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    for (const row of report.rejectedRows)
      note(`${file}:${row.line}: rejected by Square: ${row.reasons.join("; ")}`);
    process.stdout.write(formatImportSummary(report, target));
    if (target.kind === "embedded") {
      note("The embedded emulator ended with this command; import with --url to keep the customers.");
    }
  }
  if (report.aborted) throw new CliError(`import stopped early: ${report.aborted}`, EXIT_FAILURE);
  process.exitCode = report.invalid + report.rejected + report.notSent > 0 ? EXIT_FAILURE : EXIT_OK;
}

/** The human summary of an import (also used by the demo). */
export function formatImportSummary(report: ImportReport, target: Pick<Target, "label" | "kind">): string {
  const answers = Object.entries(report.http.statuses).map(([status, count]) => `${n(count)}× ${status}`);
  const dropped = unanswered(report.http);
  if (dropped > 0) answers.push(`${n(dropped)} without answer`);
  const lines: [string, string][] = [
    ["file", report.file],
    ["into", target.label],
    ["rows read", n(report.rows)],
    ["invalid, not sent", `${n(report.invalid)}${report.invalid > 0 ? "  (listed above)" : ""}`],
    ["imported", n(report.imported)],
    ["rejected by Square", `${n(report.rejected)}${report.rejected > 0 ? "  (listed above)" : ""}`],
  ];
  if (report.notSent > 0) lines.push(["not sent (stopped early)", n(report.notSent)]);
  lines.push([
    "HTTP requests",
    `${n(report.http.attempts)}${answers.length > 0 ? ` (${answers.join(", ")})` : ""}`,
  ]);
  const { customersBefore: before, customersAfter: after } = report;
  const created = before !== undefined && after !== undefined ? after - before : undefined;
  if (before !== undefined && after !== undefined) {
    lines.push([
      "customers in account",
      `${n(before)} → ${n(after)} (${after >= before ? "+" : ""}${n(after - before)})`,
    ]);
  }
  const width = Math.max(...lines.map(([label]) => label.length));
  let text = `\nImport\n${lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join("\n")}\n`;
  if (created !== undefined && created < report.imported) {
    text += `  ${n(report.imported - created)} row(s) were already in the account from an earlier import (same idempotency keys), so not created again.\n`;
  }
  if (target.kind === "square") text += "  (Square's list can take a few seconds to show new customers.)\n";
  if (report.aborted || report.notSent > 0) {
    text += "  Run the same command again to finish: rows already imported will not be duplicated.\n";
  }
  return text;
}

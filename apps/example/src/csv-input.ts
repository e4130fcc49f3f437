// Reading an import file: CSV → one `ImportRow` per record, with the line it starts on, the customer it
// describes, the idempotency key derived from that customer, and every reason it cannot be sent.
// Streamed (csv-parse), so a file of any size is read in constant memory, apart from one key per row
// for spotting the same customer twice.
import { createReadStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { extname } from "node:path";
import {
  type BulkCreateCustomerData,
  contentIdempotencyKey,
  type ValidationIssue,
  validateRequest,
} from "@square-customers/core";
import { CsvError, parse } from "csv-parse";
import { CliError, EXIT_USAGE } from "./errors.js";
import { rowToCustomer, unknownColumns, WRITABLE_COLUMNS } from "./fields.js";

export interface ImportRow {
  /** 1-based line of the file where the record starts (the header is line 1). */
  readonly line: number;
  readonly customer: BulkCreateCustomerData;
  /** Derived from the customer's content: the same row always gets the same key, in any run. */
  readonly key: string;
  /** Why the row must not be sent; empty when it is valid. */
  readonly problems: readonly string[];
}

/** Fails with a usage error (exit 2) unless `file` is a readable CSV file. */
export async function assertReadable(file: string): Promise<void> {
  if (extname(file).toLowerCase() === ".json") {
    throw new CliError(
      `${file}: import reads CSV files (\`customers export file.csv\` writes one)`,
      EXIT_USAGE,
    );
  }
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new CliError(`cannot read ${file}: no such file, or not readable`, EXIT_USAGE);
  }
  if (!(await stat(file)).isFile()) throw new CliError(`cannot read ${file}: not a file`, EXIT_USAGE);
}

/**
 * Every record of the CSV file as an `ImportRow`. A bad header (unknown or repeated columns, no column
 * an import can use) or a file that is not valid CSV fails with a usage error naming the line.
 */
export async function* readImportRows(file: string): AsyncGenerator<ImportRow> {
  const source = createReadStream(file);
  const parser = source.pipe(
    parse({ bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true }),
  );
  // `pipe` does not pass on a read error (say, the file vanished): hand it to the loop below, which
  // would otherwise never hear of it while the error crashes the process.
  source.on("error", (error) => parser.destroy(error));
  let header: string[] | undefined;
  /** key → first line that had it, to report the same customer listed twice. */
  const seen = new Map<string, number>();
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      // `info.lines` is where the record ends; a quoted cell may span lines, so count back to its start.
      const line = info.lines - (raw.trim().match(/\n/g)?.length ?? 0);
      if (header === undefined) {
        header = checkHeader(
          file,
          record.map((name) => name.trim()),
        );
        continue;
      }
      yield toImportRow(header, record, line, seen);
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const at = (error as CsvError & { lines?: number }).lines;
      throw new CliError(`${file}${at ? `:${at}` : ""}: not valid CSV: ${error.message}`, EXIT_USAGE);
    }
    throw error;
  }
  if (header === undefined) throw new CliError(`${file} is empty: expected a header line`, EXIT_USAGE);
}

function checkHeader(file: string, header: string[]): string[] {
  const unknown = unknownColumns(header);
  if (unknown.length > 0) {
    throw new CliError(
      `${file}:1: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => `"${c}"`).join(", ")}\n` +
        `  columns an import reads: ${WRITABLE_COLUMNS.join(", ")}`,
      EXIT_USAGE,
    );
  }
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  if (repeated.length > 0) {
    throw new CliError(`${file}:1: column "${repeated[0]}" appears more than once`, EXIT_USAGE);
  }
  if (!header.some((name) => WRITABLE_COLUMNS.includes(name))) {
    throw new CliError(
      `${file}:1: the header names no customer field (e.g. given_name, email_address)`,
      EXIT_USAGE,
    );
  }
  return header;
}

function toImportRow(header: string[], record: string[], line: number, seen: Map<string, number>): ImportRow {
  const cells: Record<string, string> = {};
  header.forEach((name, i) => {
    cells[name] = record[i] ?? "";
  });
  const customer = rowToCustomer(cells);
  const key = contentIdempotencyKey(customer);
  const problems: string[] = [];
  if (record.length !== header.length) {
    problems.push(
      `has ${record.length} field${record.length === 1 ? "" : "s"}, the header has ${header.length}`,
    );
  } else {
    problems.push(
      ...describeIssues(validateRequest("bulkCreateCustomers", [], { customers: { [key]: customer } }), key),
    );
    const first = seen.get(key);
    if (first !== undefined) problems.push(`the same customer as line ${first}`);
    else if (problems.length === 0) seen.set(key, line);
  }
  return { line, customer, key, problems };
}

/** Core reports fields as `customers.<key>.<field>`; a reader of the file wants the column name. */
function describeIssues(issues: readonly ValidationIssue[], key: string): string[] {
  const prefix = `customers.${key}`;
  return issues.map((issue) => {
    const field = issue.field === prefix ? "" : issue.field.replace(`${prefix}.`, "");
    const message = issue.message.replaceAll(`${prefix}.`, "").replaceAll(prefix, "row");
    return field && !message.startsWith(field) ? `${field}: ${message}` : message;
  });
}

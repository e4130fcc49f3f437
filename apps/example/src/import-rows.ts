// Reading an import file, CSV (a header line of field names) or JSON (an array of customers, as
// `customers export file.json` writes it), into one `ImportRow` per record: the line it starts on, the
// customer it describes, the idempotency key derived from that customer, every reason it cannot be sent,
// and how far into the file it ends. Streamed, so memory stays flat whatever the file's size: the one
// thing kept per row is a 12-byte fingerprint, for spotting the same customer twice.
import { access, constants, stat } from "node:fs/promises";
import { extname } from "node:path";
import { type BulkCreateCustomerData, contentIdempotencyKey } from "@square-customers/core";
import {
  type CsvRecord,
  CsvRecordSplitter,
  CustomerFileError,
  customerProblems,
  headerProblem,
  JsonArraySplitter,
  jsonToCustomer,
  rowToCustomer,
} from "@square-customers/core/tooling";
import { CliError, EXIT_USAGE } from "./errors.js";
import { readLines, readText } from "./file-text.js";
import { FirstLines } from "./first-lines.js";

export type ImportFormat = "csv" | "json";

export interface ImportRow {
  /** 1-based line of the file where the record starts (in a CSV file, the header is line 1). */
  readonly line: number;
  readonly customer: BulkCreateCustomerData;
  /**
   * The `id` the row carries (a file written by `customers export`): Square sets ids, so an import never
   * sends it, but a row whose id is a customer of the account is already there (see import-pipeline.ts).
   */
  readonly id?: string;
  /** Derived from the customer's content: the same row always gets the same key, in any run. */
  readonly key: string;
  /** Why the row must not be sent; empty when it is valid. */
  readonly problems: readonly string[];
  /** Bytes of the file read when the row was complete (progress without knowing the row count). */
  readonly bytesRead: number;
}

export interface ReadOptions {
  readonly format: ImportFormat;
  /** The CSV field delimiter (one character). */
  readonly delimiter: string;
}

/** The format of an import file: `--format` when given, else from its name (`.json`, anything else CSV). */
export function importFormat(file: string, format: ImportFormat | undefined): ImportFormat {
  return format ?? (extname(file).toLowerCase() === ".json" ? "json" : "csv");
}

/** Fails with a usage error (exit 2) unless `file` is a readable file. */
export async function assertReadable(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new CliError(`cannot read ${file}: no such file, or not readable`, EXIT_USAGE);
  }
  if (!(await stat(file)).isFile()) throw new CliError(`cannot read ${file}: not a file`, EXIT_USAGE);
}

/**
 * The rows of the file. Its start (the CSV header, the JSON array's opening bracket) is read and
 * checked before this resolves, so a file that cannot be imported at all fails here with a usage
 * error, before anything is sent. Later, a malformed row is a row with a problem; only a JSON file
 * whose structure breaks down fails part-way.
 */
export async function openImportRows(file: string, options: ReadOptions): Promise<AsyncIterable<ImportRow>> {
  const rows = options.format === "json" ? jsonRows(file) : csvRows(file, options.delimiter);
  const first = await rows.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* rows;
  })();
}

async function* csvRows(file: string, delimiter: string): AsyncGenerator<ImportRow> {
  const splitter = new CsvRecordSplitter(delimiter);
  const firstLines = new FirstLines();
  let header: string[] | undefined;
  let bytesRead = 0;
  function* rowsOf(records: CsvRecord[]): Generator<ImportRow> {
    for (const record of records) {
      if (header !== undefined) {
        yield csvRow(header, record, bytesRead, firstLines);
        continue;
      }
      if ("problem" in record) throw new CliError(`${file}:${record.line}: ${record.problem}`, EXIT_USAGE);
      header = checkHeader(
        file,
        record.line,
        record.fields.map((name) => name.trim()),
        delimiter,
      );
      splitter.expectedFields = header.length;
    }
  }
  for await (const line of readLines(file)) {
    bytesRead = line.bytesRead;
    yield* rowsOf(splitter.push(line.line, line.text));
  }
  yield* rowsOf(splitter.end());
  if (header === undefined) throw new CliError(`${file} is empty: expected a header line`, EXIT_USAGE);
}

function csvRow(header: string[], record: CsvRecord, bytesRead: number, firstLines: FirstLines): ImportRow {
  if ("problem" in record) return unsendable(record.line, [record.problem], bytesRead);
  const { line, fields } = record;
  if (fields.length !== header.length) {
    const count = `${fields.length} field${fields.length === 1 ? "" : "s"}`;
    return unsendable(line, [`has ${count}, the header has ${header.length}`], bytesRead);
  }
  const cells: Record<string, string> = {};
  header.forEach((name, i) => {
    cells[name] = fields[i] ?? "";
  });
  return checkedRow(line, rowToCustomer(cells), bytesRead, firstLines, cells.id?.trim());
}

/** A broken file structure (core's CustomerFileError) is a usage error: exit 2, nothing sent. */
function asUsageError(error: unknown): unknown {
  return error instanceof CustomerFileError ? new CliError(error.message, EXIT_USAGE) : error;
}

async function* jsonRows(file: string): AsyncGenerator<ImportRow> {
  try {
    yield* splitJsonRows(file);
  } catch (error) {
    throw asUsageError(error);
  }
}

async function* splitJsonRows(file: string): AsyncGenerator<ImportRow> {
  const splitter = new JsonArraySplitter(file);
  const firstLines = new FirstLines();
  let before = 0;
  for await (const { text, bytesRead } of readText(file)) {
    for (const record of splitter.push(text)) {
      // Where the element ends, in bytes, estimated within its chunk (for progress only).
      const at = before + Math.round(((bytesRead - before) * record.end) / Math.max(text.length, 1));
      if ("problem" in record) {
        yield unsendable(record.line, [record.problem], at);
        continue;
      }
      const converted = jsonToCustomer(record.value);
      yield "problems" in converted
        ? unsendable(record.line, converted.problems, at)
        : checkedRow(record.line, converted.customer, at, firstLines, idOf(record.value));
    }
    before = bytesRead;
  }
  splitter.end();
}

/** The `id` of a JSON element, when it has a text one. */
function idOf(value: unknown): string | undefined {
  const id = (value as { id?: unknown }).id;
  return typeof id === "string" ? id.trim() : undefined;
}

function unsendable(line: number, problems: string[], bytesRead: number): ImportRow {
  return { line, customer: {}, key: "", problems, bytesRead };
}

/** A row with core's verdict on its customer, and whether an earlier row was the same customer. */
function checkedRow(
  line: number,
  customer: BulkCreateCustomerData,
  bytesRead: number,
  firstLines: FirstLines,
  id: string | undefined,
): ImportRow {
  const key = contentIdempotencyKey(customer);
  const problems = customerProblems(customer);
  if (problems.length === 0) {
    const first = firstLines.firstLineOrAdd(key, line);
    if (first !== undefined) problems.push(`the same customer as line ${first}`);
  }
  return { line, customer, key, problems, bytesRead, ...(id ? { id } : {}) };
}

function checkHeader(file: string, line: number, header: string[], delimiter: string): string[] {
  const problem = headerProblem(header, delimiterHint(header, delimiter));
  if (problem !== undefined) throw new CliError(`${file}:${line}: ${problem}`, EXIT_USAGE);
  return header;
}

const OTHER_DELIMITERS: readonly [string, string, string][] = [
  [";", "semicolons", "';'"],
  ["\t", "tabs", "tab"],
  ["|", "bars", "'|'"],
];

/** A header read as one column that another delimiter would split: say which, and the flag for it. */
function delimiterHint(header: string[], delimiter: string): string {
  if (header.length !== 1) return "";
  const found = OTHER_DELIMITERS.find(([char]) => char !== delimiter && header[0]!.includes(char));
  return found ? `  hint: the fields seem separated by ${found[1]}: pass --delimiter ${found[2]}\n` : "";
}

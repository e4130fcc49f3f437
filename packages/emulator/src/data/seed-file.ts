// `--seed-file customers.csv|json`: every new merchant starts with the customers of a file in the formats
// `customers export` writes (the reading rules are core's, `@square-customers/core/tooling`, shared with
// the CLI's import), so a user's own anonymised data can be a test fixture. Unlike an import, the fields
// Square sets are kept when the file has them (`id`, `created_at`, `updated_at`, `version`,
// `creation_source`), so ids and times in tests are the file's. Any bad row stops the emulator from
// starting, with every problem named by file and line.
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { BulkCreateCustomerData, Customer } from "@square-customers/core";
import {
  CsvRecordSplitter,
  CustomerFileError,
  customerProblems,
  headerProblem,
  JsonArraySplitter,
  jsonToCustomer,
  parseRfc3339,
  requestSchemas,
  rowToCustomer,
} from "@square-customers/core/tooling";
import { newCustomer } from "./customer-records.js";
import { stableId } from "./ids.js";

/** A customer of a seed file: what it says, and the line it starts on. */
export interface SeedCustomer {
  readonly line: number;
  readonly data: BulkCreateCustomerData;
  /** Fields Square sets, when the file gives them. */
  readonly id?: string;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly version?: number;
  readonly creationSource?: Customer["creation_source"];
}

/** A seed file that cannot be used: every problem, by file and line. */
export class SeedFileError extends Error {
  override readonly name = "SeedFileError";
}

/** How many problems the error lists before it says how many more there are. */
const LISTED_PROBLEMS = 20;

const CREATION_SOURCES: readonly string[] = requestSchemas.CustomerCreationSource.enum;

/** Ids that a path can carry as they are (a file's ids must be reachable as `/v2/customers/{id}`). */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,191}$/;

/** Reads a seed file: CSV (a header of field names) or JSON (an array of customers), by its extension. */
export async function readSeedFile(file: string): Promise<SeedCustomer[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new SeedFileError(
      `cannot read the seed file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const problems: string[] = [];
  let rows: Array<{
    line: number;
    cells: Record<string, unknown> | undefined;
    data?: BulkCreateCustomerData;
  }>;
  try {
    rows =
      extname(file).toLowerCase() === ".json"
        ? jsonRows(file, text, problems)
        : csvRows(file, text, problems);
  } catch (error) {
    if (error instanceof CustomerFileError) throw new SeedFileError(error.message);
    throw error;
  }
  const customers: SeedCustomer[] = [];
  const idLines = new Map<string, number>();
  for (const { line, cells, data } of rows) {
    if (cells === undefined || data === undefined) continue;
    const rowProblems = customerProblems(data);
    const seed = readOnlyFields(cells, rowProblems);
    if (seed.id !== undefined) {
      const first = idLines.get(seed.id);
      if (first !== undefined) rowProblems.push(`id ${seed.id} is already the id of line ${first}`);
      else idLines.set(seed.id, line);
    }
    problems.push(...rowProblems.map((p) => `${file}:${line}: ${p}`));
    customers.push({ line, data, ...seed });
  }
  if (problems.length > 0) {
    const more = problems.length - LISTED_PROBLEMS;
    throw new SeedFileError(
      `the seed file has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n  ${problems
        .slice(0, LISTED_PROBLEMS)
        .join("\n  ")}${more > 0 ? `\n  …and ${more} more` : ""}`,
    );
  }
  return customers;
}

function csvRows(file: string, text: string, problems: string[]) {
  const splitter = new CsvRecordSplitter(",");
  const records = [
    ...text.split("\n").flatMap((raw, i) => splitter.push(i + 1, raw.replace(/\r$/, ""))),
    ...splitter.end(),
  ];
  const [first, ...rest] = records;
  if (first === undefined) throw new CustomerFileError(file, 1, "the file is empty: expected a header line");
  if ("problem" in first) throw new CustomerFileError(file, first.line, first.problem);
  const header = first.fields.map((name) => name.trim());
  const problem = headerProblem(header);
  if (problem !== undefined) throw new CustomerFileError(file, first.line, problem);
  return rest.map((record) => {
    if ("problem" in record) {
      problems.push(`${file}:${record.line}: ${record.problem}`);
      return { line: record.line, cells: undefined };
    }
    if (record.fields.length !== header.length) {
      problems.push(
        `${file}:${record.line}: has ${record.fields.length} fields, the header has ${header.length}`,
      );
      return { line: record.line, cells: undefined };
    }
    const cells = Object.fromEntries(header.map((name, i) => [name, record.fields[i] ?? ""]));
    return { line: record.line, cells, data: rowToCustomer(cells) };
  });
}

function jsonRows(file: string, text: string, problems: string[]) {
  const splitter = new JsonArraySplitter(file);
  const records = [...splitter.push(text), ...splitter.end()];
  return records.map((record) => {
    if ("problem" in record) {
      problems.push(`${file}:${record.line}: ${record.problem}`);
      return { line: record.line, cells: undefined };
    }
    const converted = jsonToCustomer(record.value);
    if ("problems" in converted) {
      problems.push(...converted.problems.map((p) => `${file}:${record.line}: ${p}`));
      return { line: record.line, cells: undefined };
    }
    return { line: record.line, cells: record.value as Record<string, unknown>, data: converted.customer };
  });
}

/** The fields Square sets, as a file gives them (an empty cell or null: not given), checked. */
function readOnlyFields(
  cells: Record<string, unknown>,
  problems: string[],
): Omit<SeedCustomer, "line" | "data"> {
  const given = (name: string): string | undefined => {
    const value = cells[name];
    if (value === undefined || value === null || value === "") return undefined;
    return typeof value === "number"
      ? String(value)
      : typeof value === "string"
        ? value.trim()
        : JSON.stringify(value);
  };
  const out: {
    -readonly [K in keyof Omit<SeedCustomer, "line" | "data">]: Omit<SeedCustomer, "line" | "data">[K];
  } = {};
  const id = given("id");
  if (id !== undefined) {
    if (ID_PATTERN.test(id)) out.id = id;
    else problems.push(`id ${JSON.stringify(id)} must be 1 to 191 letters, digits, "-" or "_"`);
  }
  for (const [name, key] of [
    ["created_at", "createdAt"],
    ["updated_at", "updatedAt"],
  ] as const) {
    const value = given(name);
    if (value === undefined) continue;
    if (parseRfc3339(value) === undefined)
      problems.push(`${name} ${JSON.stringify(value)} is not an RFC 3339 timestamp`);
    else out[key] = new Date(value).toISOString();
  }
  if (out.createdAt !== undefined && out.updatedAt !== undefined && out.updatedAt < out.createdAt) {
    problems.push("updated_at is before created_at");
  }
  const version = given("version");
  if (version !== undefined) {
    if (/^\d+$/.test(version) && Number.isSafeInteger(Number(version))) out.version = Number(version);
    else problems.push(`version ${JSON.stringify(version)} must be a whole number, 0 or more`);
  }
  const source = given("creation_source");
  if (source !== undefined) {
    if (CREATION_SOURCES.includes(source)) out.creationSource = source as Customer["creation_source"];
    else
      problems.push(`creation_source ${JSON.stringify(source)} is not one of ${CREATION_SOURCES.join(", ")}`);
  }
  return out;
}

/**
 * The `i`-th customer of a seed file as merchant `merchant` gets it: the file's id and times when it has
 * them, else an id of the merchant's (the same on every run) and the time of the merchant's creation.
 */
export function seedFileCustomer(merchant: string, seed: SeedCustomer, i: number, nowMs: number): Customer {
  const customer = newCustomer(seed.data, nowMs, {
    id: seed.id ?? stableId(merchant, "seed-file", i),
    ...(seed.creationSource === undefined ? {} : { creationSource: seed.creationSource }),
  });
  const createdAt = seed.createdAt ?? customer.created_at;
  return {
    ...customer,
    created_at: createdAt,
    updated_at: seed.updatedAt ?? createdAt,
    version: seed.version ?? 0,
  };
}

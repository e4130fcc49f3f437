// `customers export <file.csv | file.json>`: every customer, page by page (promise client, async
// iteration), streamed to the file. Memory stays flat whatever the directory's size: one page is held
// at a time and the file stream's backpressure paces the reading. The file is written under a temporary
// name and renamed at the end, so a failed or interrupted (Ctrl-C) export never leaves a file that looks
// complete, and the temporary one is removed. An existing file is replaced only with --force.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { extname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { SquareClient } from "@square-customers/client";
import type { Customer } from "@square-customers/core";
import { customerToRow, EXPORT_COLUMNS } from "@square-customers/core/tooling";
import { stringify } from "csv-stringify";
import { CliError, EXIT_INTERRUPTED, EXIT_USAGE } from "../errors.js";
import { listenForInterrupt } from "../interrupt.js";
import { jsonArray, n, note } from "../output.js";
import { assertWritable, writeError } from "../output-file.js";
import { createProgress } from "../progress.js";
import type { Target, TargetOptions } from "../target.js";
import { withPromiseClient } from "./read.js";

export interface ExportOptions extends TargetOptions {
  readonly format?: "csv" | "json";
  /** Replace the file if it exists. */
  readonly force?: boolean;
}

export function exportFormat(file: string, format: ExportOptions["format"]): "csv" | "json" {
  if (format) return format;
  const ext = extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".json") return ext.slice(1) as "csv" | "json";
  throw new CliError(
    `cannot tell the format of "${file}": name it *.csv or *.json, or pass --format`,
    EXIT_USAGE,
  );
}

export async function exportCommand(file: string, options: ExportOptions): Promise<void> {
  const format = exportFormat(file, options.format);
  await assertWritable(file, options);
  const interruption = listenForInterrupt();
  try {
    await withPromiseClient(options, (square, target) =>
      exportTo(file, format, square, target, interruption.signal),
    );
  } catch (error) {
    if (!interruption.signal.aborted) throw error;
    note(`Interrupted: ${file} was not written, and the partial file ${file}.partial was removed.`);
    process.exitCode = EXIT_INTERRUPTED;
  } finally {
    interruption.dispose();
  }
}

async function exportTo(
  file: string,
  format: "csv" | "json",
  square: SquareClient,
  target: Target,
  signal: AbortSignal,
): Promise<void> {
  // Oldest first, so a later import creates the customers in their original order.
  const listing = square.customers.list(
    { sort_field: "CREATED_AT", sort_order: "ASC", count: true },
    { signal },
  );
  // The first page (which the loop below reuses, not refetches) carries the total for the progress bar.
  const total = (await listing).count;
  const progress = createProgress("export", total);
  let count = 0;
  async function* customers(): AsyncGenerator<Customer> {
    for await (const customer of listing) {
      yield customer;
      progress.update(++count);
    }
  }
  const partial = `${file}.partial`;
  try {
    const output = createWriteStream(partial);
    if (format === "csv") {
      await pipeline(
        Readable.from(mapAsync(customers(), customerToRow)),
        stringify({ header: true, columns: [...EXPORT_COLUMNS] }),
        output,
        { signal },
      );
    } else {
      await pipeline(Readable.from(jsonArray(customers())), output, { signal });
    }
    await rename(partial, file);
  } catch (error) {
    // Never leave a file that looks complete, nor a stray partial one.
    await rm(partial, { force: true });
    throw writeError(file, error);
  } finally {
    progress.stop();
  }
  process.stdout.write(
    `Exported ${n(count)} customer${count === 1 ? "" : "s"} to ${file} from ${target.label}\n`,
  );
  if (count === 0 && target.kind === "embedded") {
    note(
      "The embedded emulator starts empty on every run: add --seed 25, or use --url for a running emulator.",
    );
  }
}

async function* mapAsync<A, B>(items: AsyncIterable<A>, f: (a: A) => B): AsyncGenerator<B> {
  for await (const item of items) yield f(item);
}

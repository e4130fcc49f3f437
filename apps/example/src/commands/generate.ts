// `customers generate <file.csv>`: a sample file to try `customers import` with. Like `export`, it
// replaces an existing file only with --force.

import { n } from "../output.js";
import { assertWritable, writeError } from "../output-file.js";
import { writeSampleCsv } from "../sample-data.js";

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  readonly invalid: number;
  readonly force?: boolean;
}

export async function generateCommand(file: string, options: GenerateOptions): Promise<void> {
  await assertWritable(file, options);
  try {
    await writeSampleCsv(file, options);
  } catch (error) {
    throw writeError(file, error);
  }
  const bad = options.invalid > 0 ? `, ${n(options.invalid)} of them deliberately invalid` : "";
  process.stdout.write(`Wrote ${n(options.count)} customers to ${file}${bad}\n`);
}

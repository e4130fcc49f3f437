// `customers generate <file.csv>`: a sample file to try `customers import` with.
import { n } from "../output.js";
import { writeSampleCsv } from "../sample-data.js";

export interface GenerateOptions {
  readonly count: number;
  readonly seed: number;
  readonly invalid: number;
}

export async function generateCommand(file: string, options: GenerateOptions): Promise<void> {
  await writeSampleCsv(file, options);
  const bad = options.invalid > 0 ? `, ${n(options.invalid)} of them deliberately invalid` : "";
  process.stdout.write(`Wrote ${n(options.count)} customers to ${file}${bad}\n`);
}

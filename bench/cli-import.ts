// Benchmark of `customers import` on a big file (not a test: prints figures, asserts nothing).
// Imports 1,000,000 generated rows into an emulator that runs in a separate process with `--db` (in
// memory, the emulator would hold the whole million itself), and reports for the CLI process alone:
//   - time to its first output (on a terminal that is the progress bar: how long the user waits in silence),
//   - total time and rows per second,
//   - peak RSS (getrusage's maxRSS, written by the CLI process itself as it exits).
// The CLI runs with the Node flags of its bin's shebang, as the `customers` command does.
// Baseline, in the same run: the same import of 10,000 rows. Bounded memory shows as an RSS ratio near 1×.
// The CLI runs on a pseudo-terminal (util-linux `script`) when there is one, so the progress bar is the
// one a user sees; otherwise piped, where progress is a plain line now and then.
// Usage (after `turbo run build`): node scripts/toolchain.mjs node bench/cli-import.ts [rows]
// CUSTOMERS_CLI=path/to/cli.js measures another build of the CLI (e.g. a copy of an older one).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = resolve(process.env.CUSTOMERS_CLI ?? join(root, "apps/example/dist/cli.js"));
const emulatorBin = join(root, "packages/emulator/dist/bin.js");
const ROWS = Number(process.argv[2] ?? 1_000_000);
const BASELINE_ROWS = 10_000;
const usePty = spawnSync("script", ["--version"]).status === 0;

/** Loaded into the CLI process with --import: prints its peak RSS (kB) as it exits. */
const RSS_REPORTER = `data:text/javascript,${encodeURIComponent(
  'process.on("exit", () => process.stderr.write("\\nbench-maxrss-kb=" + process.resourceUsage().maxRSS + "\\n"));',
)}`;

interface Measure {
  rows: number;
  firstOutputMs: number;
  totalMs: number;
  maxRssMb: number;
  imported: string;
  exitCode: number | null;
}

/**
 * The Node flags in the bin's shebang (`#!/usr/bin/env -S node --flag`), which the `customers` command
 * runs with, whether started by its npm/pnpm shim or directly.
 */
function shebangFlags(file: string): string[] {
  const first = readFileSync(file, "utf8").split("\n", 1)[0] ?? "";
  const match = /^#!\S*env\s+(?:-S\s+)?node\s*(.*)$/.exec(first);
  return match?.[1] ? match[1].trim().split(/\s+/) : [];
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

async function startEmulator(db: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [emulatorBin, "--port", "0", "--db", db], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      const match = /listening on (\S+)/.exec(text);
      if (match) resolveUrl(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

function generate(file: string, rows: number): void {
  const result = spawnSync(process.execPath, [cli, "generate", file, "--count", String(rows)], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`generate failed: ${result.stderr}`);
}

/** Runs one import as a child process and watches its output. */
function measureImport(file: string, url: string, rows: number): Promise<Measure> {
  const args = [...shebangFlags(cli), cli, "import", file, "--url", url];
  const env = {
    ...process.env,
    NODE_OPTIONS: `--import=${RSS_REPORTER}`,
    SQUARE_ACCESS_TOKEN: `bench-${rows}-${Date.now()}`,
    NO_COLOR: "1",
  };
  const child = usePty
    ? spawn(
        "script",
        [
          "-q",
          "-e",
          "-f",
          "-c",
          `stty cols 120 rows 40; ${[process.execPath, ...args].map(quote).join(" ")}`,
          "/dev/null", // where script would keep a copy of the session: nowhere
        ],
        { env, stdio: ["ignore", "pipe", "pipe"] },
      )
    : spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const started = performance.now();
  let firstOutputMs = Number.NaN;
  let output = "";
  const onData = (chunk: string) => {
    if (Number.isNaN(firstOutputMs)) firstOutputMs = performance.now() - started;
    // Keep only the tail: the summary and the RSS line come last, and a bar redraws often.
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.setEncoding("utf8").on("data", onData);
  child.stderr.setEncoding("utf8").on("data", onData);
  return new Promise((resolveMeasure) => {
    child.on("close", (code) => {
      const rss = /bench-maxrss-kb=(\d+)/.exec(output);
      resolveMeasure({
        rows,
        firstOutputMs,
        totalMs: performance.now() - started,
        maxRssMb: rss ? Number(rss[1]) / 1024 : Number.NaN,
        imported: /imported\s+([\d,]+)/.exec(output)?.[1] ?? "?",
        exitCode: code,
      });
      if (code !== 0)
        console.log(`  import of ${rows} rows exited ${code}; its last output:\n${output.slice(-2000)}`);
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), "customers-import-bench-"));
const emulator = await startEmulator(join(dir, "emulator.sqlite"));
try {
  console.log(
    `customers import: ${ROWS.toLocaleString("en-US")} rows against an emulator in its own process (--db), ` +
      `CLI ${usePty ? "on a pseudo-terminal" : "piped"}\n  CLI: ${cli}\n`,
  );
  const results: Measure[] = [];
  for (const rows of [BASELINE_ROWS, ROWS]) {
    const file = join(dir, `customers-${rows}.csv`);
    generate(file, rows);
    results.push(await measureImport(file, emulator.url, rows));
    rmSync(file);
  }
  const header = ["rows", "first output s", "total s", "rows/s", "peak RSS MB", "imported", "exit"];
  const table = results.map((r) => [
    r.rows.toLocaleString("en-US"),
    (r.firstOutputMs / 1000).toFixed(2),
    (r.totalMs / 1000).toFixed(1),
    Math.round(r.rows / (r.totalMs / 1000)).toLocaleString("en-US"),
    r.maxRssMb.toFixed(0),
    r.imported,
    String(r.exitCode),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  for (const row of [header, ...table])
    console.log(`  ${row.map((c, i) => c.padStart(widths[i]!)).join("  ")}`);
  const [base, big] = results as [Measure, Measure];
  console.log(
    `\n  ${ROWS.toLocaleString("en-US")} rows vs the ${BASELINE_ROWS.toLocaleString("en-US")}-row baseline:` +
      ` peak RSS ${(big.maxRssMb / base.maxRssMb).toFixed(2)}×,` +
      ` first output ${(big.firstOutputMs / base.firstOutputMs).toFixed(2)}×`,
  );
} finally {
  emulator.stop();
  rmSync(dir, { recursive: true, force: true });
}

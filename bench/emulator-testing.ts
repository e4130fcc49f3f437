// Benchmark of the emulator as a test tool (not a test: prints figures beside their targets, asserts
// nothing).
//  1. The test helper: `testClient()` from @square-customers/client/testing (the worker's emulator
//     started, a fresh merchant, a promise client) and its first call, in process. Measured cold, in a
//     fresh Node process (the helper's modules loaded, as a test file's first test pays), and warm, in
//     rounds in this process (the shared emulator closed between rounds, so each round starts it
//     again). Baseline: `startEmulator()` and one plain `fetch` — the emulator alone. Target ≤ 50 ms.
//  2. Snapshots of 100,000 customers: saving one to a file, and starting an emulator from it, each timed
//     and its size reported. Baselines: seeding the same 100,000 customers from scratch (`seed`), and the
//     SQLite file (`--db`) holding them. Target: save and load under 5 s each.
// Run: `npm run bench -- emulator-testing` (builds first).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testClient } from "@square-customers/client/testing";
import { startEmulator } from "@square-customers/emulator";
import { closeTestEmulator } from "@square-customers/emulator/testing";
import { kib, printTargets, root, spread } from "./_support.ts";

const ROUNDS = 15;
const COLD_RUNS = 5;
const CUSTOMERS = 100_000;
const TOKEN = "bench-snapshot";

const ms = (start: number) => performance.now() - start;

/** The helper and its first call, `fresh` Node processes: milliseconds from before the import to the answer. */
function coldRuns(script: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      cwd: root,
    });
    if (run.status !== 0) throw new Error(run.stderr);
    out.push(Number(run.stdout.trim()));
  }
  return out;
}

const COLD_HELPER = `
const t0 = performance.now();
const { testClient } = await import("@square-customers/client/testing");
const { square } = await testClient();
await square.customers.list();
process.stdout.write(String(performance.now() - t0));
process.exit(0);
`;
const COLD_BASELINE = `
const t0 = performance.now();
const { startEmulator } = await import("@square-customers/emulator");
const e = await startEmulator();
await (await fetch(e.url + "/v2/customers", { headers: { authorization: "Bearer t" } })).text();
process.stdout.write(String(performance.now() - t0));
process.exit(0);
`;

async function helperRound(): Promise<number> {
  await closeTestEmulator();
  const start = performance.now();
  const { square } = await testClient();
  await square.customers.list();
  return ms(start);
}

async function baselineRound(): Promise<number> {
  const start = performance.now();
  const e = await startEmulator();
  await (await fetch(`${e.url}/v2/customers`, { headers: { authorization: "Bearer t" } })).text();
  const took = ms(start);
  await e.close();
  return took;
}

console.log("1. the test helper: start + first call");
const coldHelper = spread(coldRuns(COLD_HELPER));
const coldBaseline = spread(coldRuns(COLD_BASELINE));
const warmHelper: number[] = [];
const warmBaseline: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so a busy moment of the machine hits both alike.
  if (round % 2 === 0) {
    warmHelper.push(await helperRound());
    warmBaseline.push(await baselineRound());
  } else {
    warmBaseline.push(await baselineRound());
    warmHelper.push(await helperRound());
  }
}
await closeTestEmulator();
const row = (label: string, s: ReturnType<typeof spread>) =>
  console.log(
    `  ${label.padEnd(52)} ${s.median.toFixed(1).padStart(7)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`,
  );
row(`cold, fresh process, ${COLD_RUNS} runs: testClient() + list`, coldHelper);
row("cold, fresh process: startEmulator() + fetch (baseline)", coldBaseline);
row(`warm, in process, ${ROUNDS} rounds: testClient() + list`, spread(warmHelper));
row("warm, in process: startEmulator() + fetch (baseline)", spread(warmBaseline));
const warmRatios = warmHelper.map((h, i) => h / warmBaseline[i]!);

console.log(`\n2. a snapshot of ${CUSTOMERS.toLocaleString()} customers`);
const dir = mkdtempSync(join(tmpdir(), "bench-snapshot-"));
const file = join(dir, "snapshot.json");
const db = join(dir, "baseline.sqlite");
let start = performance.now();
const source = await startEmulator({ seed: CUSTOMERS, clock: "manual" });
await (
  await fetch(`${source.url}/v2/customers?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })
).text();
const seedMs = ms(start);
start = performance.now();
await source.saveSnapshot(file);
const saveMs = ms(start);
const snapshotBytes = statSync(file).size;
await source.close();

start = performance.now();
const loaded = await startEmulator({ snapshot: file, clock: "manual" });
const loadMs = ms(start);
const listed = await (
  await fetch(`${loaded.url}/v2/customers?count=true&limit=1`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  })
).json();
const again = join(dir, "again.json");
await loaded.saveSnapshot(again);
const identical =
  spawnSync("cmp", ["-s", file, again]).status === 0
    ? "identical"
    : "DIFFERENT (a bug: they must be the same)";
await loaded.close();

const onDisk = await startEmulator({ seed: CUSTOMERS, db });
await (
  await fetch(`${onDisk.url}/v2/customers?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } })
).text();
await onDisk.close();
const dbBytes = statSync(db).size + (statSync(`${db}-wal`, { throwIfNoEntry: false })?.size ?? 0);
rmSync(dir, { recursive: true, force: true });

console.log(`  seeding ${CUSTOMERS.toLocaleString()} (baseline)       ${(seedMs / 1000).toFixed(2)} s`);
console.log(`  saving the snapshot                 ${(saveMs / 1000).toFixed(2)} s`);
console.log(`  starting from it (load)             ${(loadMs / 1000).toFixed(2)} s`);
console.log(
  `  file size                           ${kib(snapshotBytes)} (${(snapshotBytes / CUSTOMERS).toFixed(0)} bytes a customer); the SQLite file holding them: ${kib(dbBytes)}`,
);
console.log(`  loaded: ${listed.count.toLocaleString()} customers; taken again: ${identical}`);

printTargets("targets (issue 21)", [
  // Issue 21's target is the helper's start and first call in the test's process; a fresh process also
  // loads the modules (client, emulator, core), which a test file pays once whatever it starts: measured,
  // beside the same load for startEmulator() alone, not held to the target.
  {
    label: "testClient() + first call, in the test's process, ms",
    measured: spread(warmHelper),
    atMost: 50,
    format: (v) => `${v.toFixed(1)} ms`,
  },
  {
    label: "testClient() + first call, fresh process (modules loaded too), ms",
    measured: coldHelper,
    format: (v) => `${v.toFixed(1)} ms`,
    note: `startEmulator() + fetch in a fresh process: ${coldBaseline.median.toFixed(1)} ms`,
  },
  { label: "warm helper ÷ startEmulator() + fetch, per round", measured: spread(warmRatios) },
  { label: "snapshot save, s", measured: saveMs / 1000, atMost: 5, format: (v) => `${v.toFixed(2)} s` },
  { label: "snapshot load, s", measured: loadMs / 1000, atMost: 5, format: (v) => `${v.toFixed(2)} s` },
  { label: "save ÷ seeding the same customers", measured: saveMs / seedMs },
  { label: "load ÷ seeding the same customers", measured: loadMs / seedMs },
  { label: "snapshot file ÷ SQLite file", measured: snapshotBytes / dbBytes },
]);

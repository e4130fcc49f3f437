// Benchmark of the emulator's per-request cost (not a test: prints figures, asserts nothing): µs per
// request, one at a time over a kept-alive connection, for a read (retrieve), a write with a JSON body
// (create) and a search with a filter, each against this checkout's emulator and a baseline, in
// interleaved rounds (a ratio per round, then the median).
//
// The baseline is another emulator build when BASELINE_EMULATOR names its bin (for example a clone of
// main, to see what a change costs):
//   BASELINE_EMULATOR=/tmp/main/packages/emulator/dist/bin.js node bench/emulator-requests.ts
// Without it, the baseline is the floor: a bare node:http server (in its own process, like the
// emulator) that reads the body, parses it and answers a fixed JSON object.
// Usage (after `turbo run build`): npm run bench -- emulator-requests
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  formatRatio,
  interleavedRounds,
  printTimes,
  roundRatios,
  spread,
  squareHeaders,
  timedPromise,
} from "./_support.ts";

const BIN = fileURLToPath(new URL("../packages/emulator/dist/bin.js", import.meta.url));
const BASELINE = process.env.BASELINE_EMULATOR;
const ROUNDS = 20;
const CALLS_PER_ROUND = 100;
const WARMUP = 300;
const SEED = 1_000;
const TOKEN = "bench-requests";
const headers = squareHeaders(TOKEN);
const json = { ...headers, "content-type": "application/json" };

/** The floor: a server that does only what any JSON server must (read, parse, answer). */
const FLOOR = `
const { createServer } = require("node:http");
const answer = JSON.stringify({ customer: { id: "C1", given_name: "Ada", version: 0 } });
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString("utf8"));
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
    res.end(answer);
  });
});
server.listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + server.address().port));
`;

interface Running {
  readonly url: string;
  readonly child: ChildProcess;
}

function start(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.on("data", (chunk: Buffer) => {
      const url = /listening on (\S+)/.exec(chunk.toString())?.[1];
      if (url) resolve({ url, child });
    });
  });
}

async function call(url: string, init: RequestInit): Promise<void> {
  const res = await fetch(url, init);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${init.method ?? "GET"} ${url}: ${res.status}`);
}

const ours = await start([BIN, "--port", "0", "--seed", String(SEED)]);
const base = await start(BASELINE ? [BASELINE, "--port", "0", "--seed", String(SEED)] : ["-e", FLOOR]);
const baseName = BASELINE ? "baseline emulator" : "floor (bare node:http)";
const page = (await (await fetch(`${ours.url}/v2/customers?limit=1`, { headers })).json()) as {
  customers: Array<{ id: string }>;
};
const id = page.customers[0]!.id;
let created = 0;
const requests: Record<string, (url: string) => Promise<void>> = {
  "retrieve (GET)": (url) => call(`${url}/v2/customers/${id}`, { headers }),
  "create (POST, JSON body)": (url) =>
    call(`${url}/v2/customers`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ given_name: `Bench ${created++}`, email_address: "bench@example.com" }),
    }),
  "search (POST, a filter)": (url) =>
    call(`${url}/v2/customers/search`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ limit: 10, query: { filter: { email_address: { fuzzy: "example" } } } }),
    }),
};

console.log(
  `\nemulator: µs per request, one at a time (${ROUNDS} rounds of ${CALLS_PER_ROUND}; medians of rounds)`,
);
for (const [name, request] of Object.entries(requests)) {
  // A baseline emulator has the same seeded customers as ours; the floor answers every path alike.
  const times = await interleavedRounds(
    [timedPromise("this checkout", () => request(ours.url)), timedPromise(baseName, () => request(base.url))],
    { rounds: ROUNDS, calls: CALLS_PER_ROUND, warmup: WARMUP },
  );
  console.log(`\n${name}`);
  printTimes(times);
  console.log(
    `  this checkout / ${baseName}: ${formatRatio(spread(roundRatios(times, "this checkout", baseName)))}`,
  );
}

ours.child.kill();
base.child.kill();

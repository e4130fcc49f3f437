// square-customers-emulator: runs the emulator until SIGINT / SIGTERM. Loaded by bin.ts once the Node
// version is known to be new enough (this module's imports reach node:sqlite).
import { parseArgs } from "node:util";
import { type FaultRule, parseFaults } from "./api/faults.js";
import type { ClockOption } from "./clock.js";
import { startEmulator } from "./server.js";
import { parseWebhookFaults, type WebhookFaultRule } from "./webhooks/faults.js";

const HELP = `Usage: square-customers-emulator [options]

A local emulator of Square's Customers API (/v2/customers) and its webhooks. Every bearer token is its
own merchant.

Options:
  --port <n>        TCP port (default 0: any free port)
  --host <addr>     interface to listen on (default 127.0.0.1)
  --db <file>       keep data in this SQLite file across restarts (default: in memory)
  --seed <n>        sample customers each new merchant starts with (default 0); also seeds fault rates
  --seed-file <file>
                    customers every new merchant starts with, from a CSV or JSON file as
                    "customers export" writes them (ids and times kept); a bad row stops the start
  --faults <spec>   inject faults, e.g. "rate_limit:nth=1,2;op=createCustomer latency:ms=50"
                    (kinds: rate_limit server_error unavailable latency drop_connection truncated_body
                    malformed_body; options: nth=, rate=, op=, retry_after=, ms=); may be repeated
  --token <token>   accept only the given token(s); may be repeated (default: accept any token)
  --cors <origin>   also allow this browser origin (local origins are allowed already; "*": any
                    origin); may be repeated
  --no-cors         no CORS headers at all (browser pages on other origins cannot call the API)
  --webhook-url <url>
                    deliver every merchant's webhook events to this URL (as if each merchant had
                    subscribed it to every event type); needs --webhook-signature-key
  --webhook-signature-key <key>
                    the signature key deliveries to --webhook-url are signed with
  --webhook-retry-scale <x>
                    multiply webhook retry delays (1 min … 72 h) and the 10 s answer timeout (never
                    below 1 s) by x, 0 < x <= 1, e.g. 0.001 for tests (default 1)
  --webhook-faults <spec>
                    webhook delivery faults, e.g. "duplicate:rate=0.1 reorder:rate=0.1 delay:ms=500"
                    (kinds: duplicate reorder delay fail_first; options: nth=, rate=, ms=); may be
                    repeated
  --clock <mode>    "system" (default) or "manual": time stands still until advanced through the
                    admin API (POST /_emulator/clock/advance {"by":"2h"}); timestamps, event times
                    and webhook retries follow it
  --clock-start <time>
                    a manual clock's starting time, e.g. 2025-01-01T00:00:00Z (default: now, or a
                    loaded snapshot's time)
  --snapshot <file> start from this snapshot (see GET /_emulator/snapshot); replaces what --db holds
  --save-snapshot-on-exit <file>
                    write a snapshot of every merchant to this file on SIGINT / SIGTERM
  --snapshot-secrets <omit|include>
                    whether that snapshot keeps webhook signature keys (default omit: loading it
                    gives subscriptions new keys)
  --verbose         log each request to stderr
  --help            show this help

Prints "listening on http://HOST:PORT" once it accepts connections. The dashboard is at that URL
(open it in a browser on the same machine).`;

function fail(message: string): never {
  process.stderr.write(`square-customers-emulator: ${message}\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) fail(`--${name} must be a non-negative integer`);
  return n;
}

let values: ReturnType<typeof parse>["values"];
function parse() {
  return parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      seed: { type: "string" },
      "seed-file": { type: "string" },
      faults: { type: "string", multiple: true },
      token: { type: "string", multiple: true },
      cors: { type: "string", multiple: true },
      "no-cors": { type: "boolean" },
      "webhook-url": { type: "string" },
      "webhook-signature-key": { type: "string" },
      "webhook-retry-scale": { type: "string" },
      "webhook-faults": { type: "string", multiple: true },
      clock: { type: "string" },
      "clock-start": { type: "string" },
      snapshot: { type: "string" },
      "save-snapshot-on-exit": { type: "string" },
      "snapshot-secrets": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}
try {
  values = parse().values;
} catch (error) {
  fail(`${(error as Error).message}\n\n${HELP}`);
}

if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const port = integer("port", values.port, 0);
if (port > 65535) fail("--port must be at most 65535");
let faults: FaultRule[] = [];
try {
  faults = (values.faults ?? []).flatMap(parseFaults);
} catch (error) {
  fail((error as Error).message);
}

if (values["no-cors"] && values.cors !== undefined) fail("--cors and --no-cors cannot be used together");

let webhookFaults: WebhookFaultRule[] = [];
try {
  webhookFaults = (values["webhook-faults"] ?? []).flatMap(parseWebhookFaults);
} catch (error) {
  fail((error as Error).message);
}
const webhookUrl = values["webhook-url"];
const signatureKey = values["webhook-signature-key"];
if ((webhookUrl === undefined) !== (signatureKey === undefined)) {
  fail("--webhook-url and --webhook-signature-key go together");
}
const retryScale = values["webhook-retry-scale"];

const clockMode = values.clock ?? "system";
if (clockMode !== "system" && clockMode !== "manual") fail('--clock must be "system" or "manual"');
const clockStart = values["clock-start"];
if (clockStart !== undefined && clockMode !== "manual") fail("--clock-start needs --clock manual");
const clock: ClockOption = clockStart === undefined ? clockMode : { mode: "manual", start: clockStart };

const secrets = values["snapshot-secrets"] ?? "omit";
if (secrets !== "omit" && secrets !== "include") fail('--snapshot-secrets must be "omit" or "include"');
const saveSnapshot = values["save-snapshot-on-exit"];
if (values["snapshot-secrets"] !== undefined && saveSnapshot === undefined) {
  fail("--snapshot-secrets goes with --save-snapshot-on-exit");
}

const emulator = await startEmulator({
  port,
  host: values.host ?? "127.0.0.1",
  ...(values.db !== undefined ? { db: values.db } : {}),
  seed: integer("seed", values.seed, 0),
  ...(values["seed-file"] !== undefined ? { seedFile: values["seed-file"] } : {}),
  faults,
  ...(values.token !== undefined ? { tokens: values.token } : {}),
  cors: values["no-cors"] ? false : (values.cors ?? true),
  ...(webhookUrl !== undefined && signatureKey !== undefined
    ? { webhooks: { url: webhookUrl, signatureKey } }
    : {}),
  ...(retryScale !== undefined ? { webhookRetryScale: Number(retryScale) } : {}),
  webhookFaults,
  clock,
  ...(values.snapshot !== undefined ? { snapshot: values.snapshot } : {}),
  ...(saveSnapshot !== undefined ? { saveSnapshotOnClose: { file: saveSnapshot, secrets } } : {}),
  ...(values.verbose
    ? {
        logger: (e) =>
          process.stderr.write(
            `${e.status} ${e.method} ${e.path} ${e.operation ?? "-"} ${e.durationMs.toFixed(1)}ms` +
              `${e.latencyMs ? ` latency=${e.latencyMs}ms` : ""}${e.fault ? ` fault=${e.fault}` : ""}` +
              `${e.error ? ` error=${String(e.error)}` : ""}\n`,
          ),
      }
    : {}),
}).catch((error: unknown) => fail(`cannot start: ${(error as Error).message}`));

process.stdout.write(`listening on ${emulator.url}\n`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second signal: give up waiting
    stopping = true;
    // Requests in progress finish and the store is closed, so every answered write is on disk.
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

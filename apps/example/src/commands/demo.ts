// `customers demo`: a guided tour, on an emulator started in this process (or a running one with --url).
// Part one uses the promise client for everyday calls; part two imports a generated CSV of 2,000
// customers with the Effect client while the emulator injects failures, then proves that every row
// arrived exactly once; part three keeps a mirror in sync through webhooks while the emulator disturbs
// deliveries, then checks it against the account field by field (demo-mirror.ts).
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, createSquareClient, type SquareClient } from "@square-customers/client";
import type { Customer } from "@square-customers/core";
import type { FaultRule } from "@square-customers/emulator";
import { CliError, EXIT_FAILURE } from "../errors.js";
import { displayName } from "../fields.js";
import { importFile } from "../import-pipeline.js";
import { failedStatuses, type ImportReport, unanswered } from "../import-report.js";
import { openImportRows } from "../import-rows.js";
import { formatTable, n, tableWidth } from "../output.js";
import { createProgress } from "../progress.js";
import { sampleReferenceId, writeSampleCsv } from "../sample-data.js";
import { openTarget, type Target } from "../target.js";
import { mirrorSection } from "./demo-mirror.js";
import { bad, checks, code, heading, ok, out, say, style } from "./demo-output.js";
import { formatImportSummary } from "./import.js";

export interface DemoOptions {
  readonly url?: string;
  readonly rows: number;
  readonly keep?: boolean;
}

/** Sample customers the embedded emulator starts with. */
const SEEDED = 25;

/**
 * Failures the emulator injects into bulk-create calls during the import (request numbers count
 * bulk-create calls). A dropped connection happens after the emulator has applied the call: only the
 * idempotency keys keep its retry from creating those customers a second time.
 */
const IMPORT_FAULTS: FaultRule[] = [
  { kind: "rate_limit", operations: ["bulkCreateCustomers"], nth: [2, 9], retryAfterSeconds: 1 },
  { kind: "unavailable", operations: ["bulkCreateCustomers"], nth: [5, 14] },
  { kind: "drop_connection", operations: ["bulkCreateCustomers"], nth: [11] },
];

export async function demoCommand(options: DemoOptions): Promise<void> {
  const started = performance.now();
  const target = await demoTarget(options);
  const dir = await mkdtemp(join(tmpdir(), "customers-demo-"));
  let failures = 0;
  try {
    out(style("bold", "Square Customers SDK: a tour"));
    say(`server: ${target.label}`);
    if (target.kind === "url")
      say("merchant: a fresh one for this run (each access token is its own merchant)");

    const square = createSquareClient({ accessToken: target.accessToken, environment: target.environment });
    await tour(square);

    // ── part two: the import ────────────────────────────────────────────────────────────────────
    heading(6, `Import ${n(options.rows)} customers from a CSV file`, "Effect client: customers.createMany");
    const file = join(dir, "customers.csv");
    await writeSampleCsv(file, { count: options.rows, seed: 2025 });
    say(`generated ${file}`);
    if (target.emulator) {
      target.emulator.faults.set(IMPORT_FAULTS);
      say("the emulator will answer some bulk calls with 429 (rate limited) and 503 (unavailable),");
      say("and drop one connection after applying the call: the client must retry without duplicating");
    } else {
      say(style("dim", "(fault injection needs the embedded emulator: run without --url to see it)"));
    }
    code(
      `square.customers.createMany(rowsOfTheFile, { chunkSize: 100, concurrency: 4 })   // a Stream of results`,
    );
    const report = await importSample(target, file, "   import");
    target.emulator?.faults.set([]);
    out(formatImportSummary(report, target).trim().replace(/^/gm, "   "));

    heading(7, "Check: nothing lost, nothing duplicated", "promise client: list every page");
    failures += await verify(square, report, options.rows);

    heading(8, "Import the same file again", "idempotency keys derived from each row");
    const again = await importSample(target, file);
    const delta = (again.customersAfter ?? Number.NaN) - (again.customersBefore ?? Number.NaN);
    if (again.imported === options.rows && delta === 0) {
      ok(`all ${n(again.imported)} rows answered with their existing customers; customers in account: +0`);
    } else {
      failures++;
      bad(`second import: ${n(again.imported)} answered, customers in account changed by ${delta}`);
    }

    heading(9, "Import through answers cut off mid-way", "promise client: customers.createMany");
    failures += await importThroughCutBodies(square, target);

    // ── part three: a mirror kept in sync through webhooks ──────────────────────────────────────
    failures += await mirrorSection(square, target, dir, 10);
  } finally {
    await target.close();
    if (options.keep) out(`\n   kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  out(
    `\n${failures === 0 ? style("green", "Done") : style("red", "Done, with failed checks")} in ${seconds} s.`,
  );
  if (failures === 0) {
    const dim = (text: string) => out(style("dim", text));
    dim("Next: `npm run customers -- --help` from the repository root.");
    if (!options.url) {
      dim("The embedded emulator ended with the demo; to keep data between commands, start");
      dim("one with `npm run emulator -- --port 4010` and pass --url http://127.0.0.1:4010.");
    }
  }
  if (failures > 0) throw new CliError(`${failures} check(s) failed`, EXIT_FAILURE);
}

/** Rows for step 9, new to the account (the sample file's rows are in it already). */
const CUT_ROWS = 300;

/**
 * Step 9: the promise client's createMany while the emulator cuts off the body of some answers after
 * applying the call. A cut-off body is a lost connection: retried with the same keys, every row is reported
 * created and each customer exists once.
 */
async function importThroughCutBodies(square: SquareClient, target: Target): Promise<number> {
  const rows = Array.from({ length: CUT_ROWS }, (_, i) => ({
    given_name: `Cut${i}`,
    family_name: "Answer",
    email_address: `cut-${i}@example.com`,
  }));
  if (target.emulator) {
    target.emulator.faults.set([
      { kind: "truncated_body", operations: ["bulkCreateCustomers"], nth: [1, 2] },
    ]);
    say("the emulator applies the first two bulk calls, then cuts their answers off half-way");
  }
  code(`await square.customers.createMany(rows, { chunkSize: 100 })   // results in input order`);
  const before = (await square.customers.list({ limit: 1, count: true })).count ?? 0;
  const results = await square.customers.createMany(rows, { chunkSize: 100 });
  target.emulator?.faults.set([]);
  const after = (await square.customers.list({ limit: 1, count: true })).count ?? 0;
  const created = results.filter((r) => r.outcome === "created").length;
  if (created === CUT_ROWS && after - before === CUT_ROWS) {
    ok(`all ${n(CUT_ROWS)} rows reported created; customers in account: +${n(after - before)}, none twice`);
    return 0;
  }
  bad(`${n(created)} of ${n(CUT_ROWS)} reported created; customers in account changed by ${after - before}`);
  return 1;
}

/** Imports the sample file as `customers import` does; quiet without a progress `label`. */
async function importSample(target: Target, file: string, label?: string): Promise<ImportReport> {
  const size = (await stat(file)).size;
  const progress = createProgress(label ?? "", size, { quiet: label === undefined, counts: false });
  const { report } = await importFile(target, {
    file,
    format: "csv",
    rows: await openImportRows(file, { format: "csv", delimiter: "," }),
    size,
    progress,
    chunkSize: 100,
    concurrency: 4,
    maxRetries: 5,
  });
  return report;
}

/** Embedded emulator with sample customers, or --url with a fresh merchant so runs never collide. */
async function demoTarget(options: DemoOptions): Promise<Target> {
  // Webhook retries a thousand times sooner than Square's (the first after 60 ms, not a minute).
  if (!options.url) return openTarget({ seed: SEEDED, webhookRetryScale: 0.001 });
  const target = await openTarget({ url: options.url });
  return { ...target, accessToken: `customers-demo-${randomUUID()}` };
}

/** Part one: create, retrieve, a conflicting update that recovers, search, paging. */
async function tour(square: SquareClient): Promise<void> {
  heading(1, "Create a customer", "promise client");
  code(`await square.customers.create({ given_name: "Amelia", family_name: "Earhart", … })`);
  const { customer } = await square.customers.create({
    given_name: "Amelia",
    family_name: "Earhart",
    email_address: "amelia.earhart@example.com",
    phone_number: "+1 415 555 0199",
    reference_id: "DEMO-AMELIA",
  });
  const amelia = customer!;
  say(`→ ${amelia.id}, version ${amelia.version} (an idempotency key was added for us: retries are safe)`);

  heading(2, "Retrieve it", "promise client");
  code(`await square.customers.retrieve("${amelia.id}")`);
  const { customer: fetched } = await square.customers.retrieve(amelia.id!);
  say(`→ ${displayName(fetched!)} <${fetched!.email_address}>, created ${fetched!.created_at}`);

  heading(3, "Two edits race: a version conflict, then recovery", "promise client");
  const base = fetched!.version!;
  code(`await square.customers.update(id, { nickname: "Millie", version: ${base} })   // editor A`);
  const a = await square.customers.update(amelia.id!, { nickname: "Millie", version: base });
  say(`→ version ${a.customer?.version}`);
  code(
    `await square.customers.update(id, { note: "Aviation pioneer", version: ${base} })   // editor B, stale`,
  );
  try {
    await square.customers.update(amelia.id!, { note: "Aviation pioneer", version: base });
    throw new CliError("expected a version conflict, but the stale update was accepted");
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    say(`→ ConflictError ${error.errors[0]?.code ?? ""}: editor B's copy is stale`);
  }
  const { customer: latest } = await square.customers.retrieve(amelia.id!);
  code(`re-read (version ${latest?.version}), apply B's change again`);
  const b = await square.customers.update(amelia.id!, {
    note: "Aviation pioneer",
    version: latest!.version!,
  });
  say(
    `→ version ${b.customer?.version}: nickname "${b.customer?.nickname}", note "${b.customer?.note}" (both edits kept)`,
  );

  heading(4, "Search with filters", "promise client");
  code(`square.customers.search({ query: { filter: { email_address: { fuzzy: "amelia" } } } })`);
  const byEmail = await collect(
    square.customers.search({ query: { filter: { email_address: { fuzzy: "amelia" } } } }),
  );
  printTable(byEmail);
  const since = new Date(Date.now() - 10 * 60_000).toISOString();
  code(`… and created in the last 10 minutes: created_at: { start_at: "${since}" }`);
  const recent = await collect(
    square.customers.search({
      query: { filter: { email_address: { fuzzy: "amelia" }, created_at: { start_at: since } } },
    }),
  );
  printTable(recent);

  heading(5, "List everyone, page by page", "promise client");
  code(`for await (const page of square.customers.list({ limit: 10, sort_field: "CREATED_AT" }).pages()) …`);
  let pages = 0;
  let total = 0;
  for await (const page of square.customers.list({ limit: 10, sort_field: "CREATED_AT" }).pages()) {
    pages++;
    total += page.customers?.length ?? 0;
    if (pages <= 3)
      say(
        `page ${pages}: ${page.customers?.length ?? 0} customers${page.cursor ? ", and a cursor to the next" : ""}`,
      );
  }
  if (pages > 3) say(`… ${pages} pages in all`);
  say(`→ ${n(total)} customers (for await over the list itself gives the customers, across every page)`);
}

/**
 * Every reference id of the file is in the account exactly once, and the account grew by exactly the
 * file's rows since the import's own count before it started.
 */
async function verify(square: SquareClient, report: ImportReport, rows: number): Promise<number> {
  const checked = checks();
  const { check } = checked;
  const seen = new Map<string, number>();
  let total = 0;
  for await (const customer of square.customers.list()) {
    total++;
    const ref = customer.reference_id ?? "";
    if (ref) seen.set(ref, (seen.get(ref) ?? 0) + 1);
  }
  let missing = 0;
  let duplicated = 0;
  for (let i = 1; i <= rows; i++) {
    const count = seen.get(sampleReferenceId(i)) ?? 0;
    if (count === 0) missing++;
    if (count > 1) duplicated++;
  }
  check(
    report.imported === rows && report.rejected === 0,
    `${n(report.imported)} of ${n(rows)} rows imported`,
  );
  check(missing === 0, `every row's reference_id is in the account (${n(missing)} missing)`);
  check(duplicated === 0, `none of them twice (${n(duplicated)} duplicated)`);
  const before = report.customersBefore ?? Number.NaN;
  check(total === before + rows, `customers in account: ${n(before)} + ${n(rows)} = ${n(total)}`);
  const retried = failedStatuses(report.http);
  const dropped = unanswered(report.http);
  if (retried.length > 0 || dropped > 0) {
    const what = [...retried.map(([status, count]) => `${count}× HTTP ${status}`)];
    if (dropped > 0) what.push(`${dropped} dropped connection${dropped > 1 ? "s" : ""}`);
    ok(`survived ${what.join(", ")}: retried by the client with the same keys`);
  }
  return checked.failures;
}

async function collect(items: AsyncIterable<Customer>): Promise<Customer[]> {
  const all: Customer[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function printTable(customers: Customer[]): void {
  const rows = customers.map((c) => [
    displayName(c),
    c.email_address ?? "",
    (c.created_at ?? "").slice(0, 19),
  ]);
  const columns = [
    { header: "NAME", minWidth: 12 },
    { header: "EMAIL", minWidth: 14 },
    { header: "CREATED" },
  ];
  const table = formatTable(columns, rows, tableWidth() - 3);
  out(table.replace(/^/gm, "   "));
  say(`→ ${customers.length} match${customers.length === 1 ? "" : "es"}`);
}

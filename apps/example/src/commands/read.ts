// `customers list`, `customers search`, `customers get`: quick reads with the promise client.
import { createSquareClient, NotFoundError, type SquareClient } from "@square-customers/client";
import type { Customer, CustomerFilter, SearchCustomersRequest } from "@square-customers/core";
import { parseRfc3339 } from "@square-customers/core/tooling";
import { CliError, EXIT_USAGE } from "../errors.js";
import { listenForInterrupt } from "../interrupt.js";
import { formatCustomer, listFormat, n, note, printCustomers, write } from "../output.js";
import { openTarget, type Target, type TargetOptions } from "../target.js";

/** Opens the target, hands a promise client to `run`, and always closes the target (embedded emulator). */
export async function withPromiseClient<T>(
  options: TargetOptions,
  run: (square: SquareClient, target: Target) => Promise<T>,
): Promise<T> {
  const target = await openTarget(options);
  try {
    return await run(
      createSquareClient({ accessToken: target.accessToken, environment: target.environment }),
      target,
    );
  } finally {
    await target.close();
  }
}

/** Stops an async iteration after `max` items (the loop's `return` stops further page requests). */
async function* take<T>(items: AsyncIterable<T>, max: number | undefined): AsyncGenerator<T> {
  let count = 0;
  for await (const item of items) {
    yield item;
    if (++count === max) return;
  }
}

/** With a --limit below a full page, ask for just that many, so one small page answers it. */
function pageLimit(limit: number | undefined): { limit?: number } {
  return limit !== undefined && limit < 100 ? { limit } : {};
}

function hintWhenEmpty(count: number, target: Target): void {
  if (count === 0 && target.kind === "embedded") {
    note(
      "No customers. The embedded emulator starts empty on every run: add --seed 25 for sample customers,\n" +
        "or start one with `npm run emulator -- --port 4010` and pass --url http://127.0.0.1:4010.",
    );
  }
}

/** "7 of 30 customers", or "30 customers" when every one was shown. */
function shownOf(shown: number, total: number | undefined, noun: readonly [string, string]): string {
  const of = total !== undefined && total > shown ? `${n(shown)} of ${n(total)}` : n(shown);
  return `${of} ${(total ?? shown) === 1 ? noun[0] : noun[1]}`;
}

export interface ListOptions extends TargetOptions {
  readonly limit?: number;
  readonly sort: "default" | "created_at";
  readonly order: "asc" | "desc";
  readonly json?: boolean;
  readonly table?: boolean;
}

/**
 * Prints a listing (list or search, every page as the loop needs it; with --limit, pages stop once
 * enough were read) and, for humans, how many were shown of how many there are. The first page, which
 * carries the total, is awaited once and then reused by the loop. Ctrl-C stops it between customers
 * (the request in flight is aborted) and the count says how far it got.
 */
async function printListing(
  request: (signal: AbortSignal) => AsyncIterable<Customer> & PromiseLike<{ count?: number }>,
  options: ListOptions,
  target: Target,
  noun: readonly [string, string],
): Promise<void> {
  const interruption = listenForInterrupt();
  let shown = 0;
  let total: number | undefined;
  try {
    const listing = request(interruption.signal);
    total = (await listing).count;
    shown = await printCustomers(take(listing, options.limit), listFormat(options), interruption.signal);
  } catch (error) {
    if (!interruption.signal.aborted) throw error;
  } finally {
    interruption.dispose();
  }
  if (interruption.signal.aborted) {
    note(`Interrupted: ${shownOf(shown, total, noun)} shown before Ctrl-C, from ${target.label}`);
    return;
  }
  if (!options.json) note(`${shownOf(shown, total, noun)} from ${target.label}`);
  hintWhenEmpty(shown, target);
}

export async function listCommand(options: ListOptions): Promise<void> {
  await withPromiseClient(options, async (square, target) => {
    const request = {
      sort_field: options.sort === "created_at" ? "CREATED_AT" : "DEFAULT",
      sort_order: options.order === "asc" ? "ASC" : "DESC",
      count: true,
      ...pageLimit(options.limit),
    } as const;
    await printListing((signal) => square.customers.list(request, { signal }), options, target, [
      "customer",
      "customers",
    ]);
  });
}

export interface SearchOptions extends ListOptions {
  readonly email?: string;
  readonly phone?: string;
  readonly referenceId?: string;
  readonly exact?: boolean;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly group?: string;
}

/** The search request the flags describe (filters combine with AND). */
export function searchRequest(options: SearchOptions): SearchCustomersRequest {
  const text = (value: string) => (options.exact ? { exact: value } : { fuzzy: value });
  const filter: CustomerFilter = {};
  if (options.email !== undefined) filter.email_address = text(options.email);
  if (options.phone !== undefined) filter.phone_number = text(options.phone);
  if (options.referenceId !== undefined) filter.reference_id = text(options.referenceId);
  if (options.createdAfter !== undefined || options.createdBefore !== undefined) {
    filter.created_at = {
      ...(options.createdAfter === undefined
        ? {}
        : { start_at: toTimestamp(options.createdAfter, "--created-after") }),
      ...(options.createdBefore === undefined
        ? {}
        : { end_at: toTimestamp(options.createdBefore, "--created-before") }),
    };
  }
  if (options.group !== undefined) filter.group_ids = { any: [options.group] };
  return {
    query: {
      ...(Object.keys(filter).length > 0 ? { filter } : {}),
      sort: {
        field: options.sort === "created_at" ? "CREATED_AT" : "DEFAULT",
        order: options.order === "asc" ? "ASC" : "DESC",
      },
    },
    count: true,
    ...pageLimit(options.limit),
  };
}

/** `2024-05-01` (midnight UTC) or a full RFC 3339 timestamp, checked by core's rule. */
function toTimestamp(value: string, flag: string): string {
  const timestamp = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  if (parseRfc3339(timestamp) !== undefined) return timestamp;
  throw new CliError(
    `${flag} must be a date (2024-05-01) or an RFC 3339 timestamp, got "${value}"`,
    EXIT_USAGE,
  );
}

export async function searchCommand(options: SearchOptions): Promise<void> {
  const request = searchRequest(options);
  await withPromiseClient(options, async (square, target) => {
    // Search pages like list: iterating the result walks every page.
    await printListing((signal) => square.customers.search(request, { signal }), options, target, [
      "match",
      "matches",
    ]);
  });
}

export async function getCommand(id: string, options: TargetOptions & { json?: boolean }): Promise<void> {
  await withPromiseClient(options, async (square, target) => {
    const customer = await retrieveOrExplain(id, () => square.customers.retrieve(id), target);
    await write(process.stdout, formatCustomer(customer, options.json));
  });
}

/** The customer, or a clear "no customer with id" (exit 1) when there is none. */
export async function retrieveOrExplain(
  id: string,
  retrieve: () => Promise<{ customer: Customer }>,
  target: Target,
): Promise<Customer> {
  try {
    const { customer } = await retrieve();
    return customer;
  } catch (error) {
    if (error instanceof NotFoundError) throw new CliError(notFound(id, target));
    throw error;
  }
}

export function notFound(id: string, target: Target): string {
  const where = target.kind === "embedded" ? " (the embedded emulator is fresh on every run; use --url)" : "";
  return `no customer with id ${id}${where}`;
}

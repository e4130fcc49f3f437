// @square-customers/emulator/testing: the emulator as a test tool. One emulator per test worker, started
// on first use and shared by every test in it; a fresh merchant (a new token) per test, so tests run in
// parallel without resets and never see each other's data. Works in any runner: plain async functions
// for node:test and Jest, and a fixture object for Vitest's `test.extend`.
//
// The clients are not imported here (the emulator imports no client): `@square-customers/client/testing`
// and `@square-customers/client-effect/testing` build on this and hand their client ready-made.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { JournaledRequest, RequestFilter } from "../api/request-log.js";
import type { EmulatorClock } from "../clock.js";
import { sha256 } from "../data/ids.js";
import { type Snapshot, SnapshotError, type SnapshotOptions } from "../data/snapshot.js";
import { readSnapshot } from "../data/snapshot-load.js";
import type { Emulator, EmulatorOptions } from "../emulator.js";
import { startEmulator } from "../server.js";

/**
 * A seeded PRNG, `seededRandom(seed)()` → the seed's next number in [0, 1): the one the emulator's fault
 * rates draw from, for test data and workloads that must repeat exactly.
 */
export { seededRandom } from "../random.js";

/**
 * What a test merchant may ask of its emulator. Any of these gives the merchant an emulator of its own
 * (started in milliseconds, closed with the merchant), because they are the emulator's, not the
 * merchant's: a manual clock advanced by one test would move every other test's time, a fault rule
 * would fire on their requests. A `snapshot` must be of one merchant (`merchant.snapshot()`): the test
 * merchant is that merchant, reached with the test's own token.
 */
export type TestEmulatorOptions = Omit<EmulatorOptions, "port" | "host" | "unref" | "saveSnapshotOnClose">;

/** One test's merchant: its token, its own view of the emulator, and what a client needs. */
export interface TestMerchant {
  /** The merchant's access token (fresh for each test merchant). */
  readonly token: string;
  /** The merchant's id, as the request journal and the dashboard name it. */
  readonly merchantId: string;
  /** The emulator's base URL, for a client's `environment`. */
  readonly url: string;
  /** What a client of either flavor takes: `createSquareClient(merchant.clientOptions)`. */
  readonly clientOptions: { readonly accessToken: string; readonly environment: string };
  /** The emulator this merchant lives on (shared by the worker's tests, unless it has its own). */
  readonly emulator: Emulator;
  /** Whether the merchant has an emulator of its own (see `TestEmulatorOptions`). */
  readonly ownEmulator: boolean;
  /** The requests this merchant's token sent, oldest first (`emulator.requests`, for this merchant only). */
  requests(filter?: Omit<RequestFilter, "merchant">): JournaledRequest[];
  /** A snapshot of this merchant's state. */
  snapshot(options?: Omit<SnapshotOptions, "merchant">): Snapshot;
  /** The emulator's clock (advance it when the merchant has its own emulator with `clock: "manual"`). */
  readonly clock: EmulatorClock;
  /** Closes the merchant's own emulator, if it has one; a merchant of the shared emulator just stays. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The worker's emulator is kept on globalThis, so that every copy of this module in the worker shares it. */
const SHARED = Symbol.for("@square-customers/emulator/testing#shared");
type SharedHolder = { [SHARED]?: Promise<Emulator> | undefined };
const holder = globalThis as SharedHolder;

/**
 * The test worker's emulator: started on the first call (in memory, on 127.0.0.1, a free port), then the
 * same one. It does not keep the process alive, so a runner that does not close it still exits.
 */
export function testEmulator(): Promise<Emulator> {
  const started = holder[SHARED] ?? startEmulator({ port: 0, host: "127.0.0.1", unref: true });
  holder[SHARED] = started;
  // A start that failed (no free port, say) is not kept: the next call tries again.
  started.catch(() => {
    if (holder[SHARED] === started) holder[SHARED] = undefined;
  });
  return started;
}

/** Closes the worker's emulator (e.g. in Jest's `afterAll`, node:test's `after`); the next use starts another. */
export async function closeTestEmulator(): Promise<void> {
  const started = holder[SHARED];
  holder[SHARED] = undefined;
  if (started !== undefined) await (await started).close();
}

/**
 * A fresh merchant for one test: a new token on the worker's emulator, or on an emulator of its own when
 * `options` asks for anything (a manual clock, a seed, faults, a snapshot, …).
 */
export async function testMerchant(options?: TestEmulatorOptions): Promise<TestMerchant> {
  const own = options !== undefined && Object.keys(options).length > 0;
  const token = `test-merchant-${randomUUID()}`;
  const emulator = own
    ? await startEmulator({
        ...options,
        ...(options.snapshot === undefined ? {} : { snapshot: await asMerchantOf(token, options.snapshot) }),
        port: 0,
        host: "127.0.0.1",
        unref: true,
      })
    : await testEmulator();
  const merchantId = emulator.merchantId(token);
  const close = () => (own ? emulator.close() : Promise.resolve());
  return {
    token,
    merchantId,
    url: emulator.url,
    clientOptions: { accessToken: token, environment: emulator.url },
    emulator,
    ownEmulator: own,
    requests: (filter = {}) => emulator.requests({ ...filter, merchant: merchantId }),
    snapshot: (snapshotOptions = {}) => emulator.snapshot({ ...snapshotOptions, merchant: merchantId }),
    clock: emulator.clock,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A one-merchant snapshot whose merchant `token` reaches. */
async function asMerchantOf(token: string, option: Snapshot | string): Promise<Snapshot> {
  const snapshot =
    typeof option === "string" ? readSnapshot(await readFile(option, "utf8"), option) : readSnapshot(option);
  const [merchant, ...others] = snapshot.merchants;
  if (merchant === undefined || others.length > 0) {
    throw new SnapshotError(
      `a test merchant starts from a snapshot of one merchant (merchant.snapshot()); this one has ${snapshot.merchants.length}`,
    );
  }
  return { ...snapshot, merchants: [{ ...merchant, tokenHash: sha256(token) }] };
}

/** A Vitest fixture function: what `test.extend` takes for one fixture. */
export type Fixture<Context, Value> = (
  context: Context,
  use: (value: Value) => Promise<void>,
) => Promise<void>;

/** The fixtures `merchantFixtures` defines. */
export interface MerchantFixtures {
  /**
   * What the test's merchant asks of its emulator (default none: the worker's shared emulator). Set it
   * for a file or a `describe` with `test.override({ merchantOptions: { clock: "manual" } })`.
   */
  merchantOptions: TestEmulatorOptions;
  /** A fresh merchant for each test that asks for it; closed after the test. */
  merchant: TestMerchant;
}

/** Vitest's fixture for a merchant, for a `merchant` fixture of another package to depend on. */
export const merchantFixture: Fixture<{ merchantOptions: TestEmulatorOptions }, TestMerchant> = async (
  { merchantOptions },
  use,
) => {
  const merchant = await testMerchant(merchantOptions);
  try {
    await use(merchant);
  } finally {
    await merchant.close();
  }
};

/**
 * Vitest fixtures for a test merchant: `const test = base.extend(merchantFixtures)`, then
 * `test("…", async ({ merchant }) => …)`. Each test that asks for `merchant` gets a fresh one.
 */
export const merchantFixtures: {
  merchantOptions: TestEmulatorOptions;
  merchant: typeof merchantFixture;
} = {
  merchantOptions: {},
  merchant: merchantFixture,
};

// @square-customers/client/testing: the promise client ready-made for a fresh merchant of the emulator
// (`@square-customers/emulator/testing`, an optional peer dependency: install it as a dev dependency).
// Plain functions for node:test and Jest, and fixtures for Vitest's `test.extend`.
import {
  type Fixture,
  merchantFixture,
  type TestEmulatorOptions,
  type TestMerchant,
  testMerchant,
} from "@square-customers/emulator/testing";
import { createSquareClient, type SquareClient } from "./client.js";

export type { TestEmulatorOptions, TestMerchant } from "@square-customers/emulator/testing";

/** A test's merchant and a promise client signed in as it. */
export interface TestClient {
  readonly square: SquareClient;
  readonly merchant: TestMerchant;
}

/**
 * A fresh merchant (on the test worker's shared emulator, or its own with `options`) and a client for
 * it: `const { square, merchant } = await testClient()`.
 */
export async function testClient(options?: TestEmulatorOptions): Promise<TestClient> {
  const merchant = await testMerchant(options);
  return { square: createSquareClient(merchant.clientOptions), merchant };
}

/** The client fixture: a promise client signed in as the test's merchant. */
export const squareFixture: Fixture<{ merchant: TestMerchant }, SquareClient> = async ({ merchant }, use) => {
  await use(createSquareClient(merchant.clientOptions));
};

/**
 * Vitest fixtures: `const test = base.extend(squareFixtures)`, then
 * `test("…", async ({ square, merchant }) => …)`. A fresh merchant for each test, closed after it;
 * `test.override({ merchantOptions: { clock: "manual" } })` gives a describe's merchants their own
 * emulators with a manual clock.
 */
export const squareFixtures: {
  merchantOptions: TestEmulatorOptions;
  merchant: typeof merchantFixture;
  square: typeof squareFixture;
} = { merchantOptions: {}, merchant: merchantFixture, square: squareFixture };

// @square-customers/client-effect/testing: the Effect client ready-made for a fresh merchant of the
// emulator (`@square-customers/emulator/testing`, an optional peer dependency: install it as a dev
// dependency). Plain functions for node:test and Jest, and fixtures for Vitest's `test.extend`.
import {
  type Fixture,
  merchantFixture,
  type TestEmulatorOptions,
  type TestMerchant,
  testMerchant,
} from "@square-customers/emulator/testing";
import * as FetchHttpClient from "effect/http/FetchHttpClient";
import * as Layer from "effect/Layer";
import { SquareClient } from "./client.js";

export type { TestEmulatorOptions, TestMerchant } from "@square-customers/emulator/testing";

/** A test's merchant and a `SquareClient` layer signed in as it (over fetch). */
export interface TestLayer {
  readonly layer: Layer.Layer<SquareClient>;
  readonly merchant: TestMerchant;
}

/** The `SquareClient` layer for a merchant, its HTTP client (fetch) included. */
export function layerFor(merchant: TestMerchant): Layer.Layer<SquareClient> {
  return SquareClient.layer(merchant.clientOptions).pipe(Layer.provide(FetchHttpClient.layer));
}

/**
 * A fresh merchant (on the test worker's shared emulator, or its own with `options`) and a layer for it:
 * `const { layer, merchant } = await testLayer()`, then `Effect.provide(layer)`.
 */
export async function testLayer(options?: TestEmulatorOptions): Promise<TestLayer> {
  const merchant = await testMerchant(options);
  return { layer: layerFor(merchant), merchant };
}

/** The layer fixture: `SquareClient` signed in as the test's merchant. */
export const squareLayerFixture: Fixture<{ merchant: TestMerchant }, Layer.Layer<SquareClient>> = async (
  { merchant },
  use,
) => {
  await use(layerFor(merchant));
};

/**
 * Vitest fixtures: `const test = base.extend(squareFixtures)`, then
 * `test("…", ({ squareLayer }) => Effect.runPromise(program.pipe(Effect.provide(squareLayer))))`.
 * A fresh merchant for each test, closed after it; `test.override({ merchantOptions: … })` gives a
 * describe's merchants their own emulators (a manual clock, say).
 */
export const squareFixtures: {
  merchantOptions: TestEmulatorOptions;
  merchant: typeof merchantFixture;
  squareLayer: typeof squareLayerFixture;
} = { merchantOptions: {}, merchant: merchantFixture, squareLayer: squareLayerFixture };

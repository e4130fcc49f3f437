// Type test: every generated schema decodes to exactly core's model (checked by `tsc -p test`; the
// runtime part only keeps vitest from reporting an empty file).
import type { Models } from "@square-customers/core";
import { describe, expect, it } from "vitest";
import type * as Schemas from "../src/generated/schemas.js";

/** Strict type equality: readonly, optionality and `| undefined` all count. */
type Equals<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;

/** Core exports the spec's `Error` model as `SquareErrorDetail`; so does the generator. */
type ExportName<K extends keyof Models> = K extends "Error" ? "SquareErrorDetail" : K;
type SchemaTypeOf<K extends keyof Models> = (typeof Schemas)[ExportName<K> & keyof typeof Schemas] extends {
  readonly Type: infer T;
}
  ? T
  : never;

/** `true` for every model whose schema type equals core's type; a mismatch makes that entry `false`. */
type Agreement = { [K in keyof Models]: Equals<SchemaTypeOf<K>, Models[K]> };
const agreement: { [K in keyof Models]: true } = {} as Agreement;

describe("generated schemas", () => {
  it("cover every core model", () => {
    expect(agreement).toBeDefined();
  });
});

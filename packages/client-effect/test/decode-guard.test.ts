// The decoding fast path: the guard compiled from a schema's AST must accept exactly what Schema's decoder
// accepts (for the generated response schemas), and a body it accepts must decode to itself.
import { assert, describe, it } from "@effect/vitest";
import { Arbitrary, Effect, Exit, Schema } from "effect";
import { decoderOf, guardOf } from "../src/decode.js";
import { responses } from "../src/generated/schemas.js";

const SAMPLES_PER_SCHEMA = 12;
const MUTATIONS_PER_SAMPLE = 24;

/** Values of the wrong type for almost any field. */
const WRONG = [7, 1.5, "text", true, null, [], {}, [1], { a: 1 }] as const;

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function pathsOf(value: unknown, prefix: ReadonlyArray<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== "object" || value === null) return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [
    [...prefix, key],
    ...pathsOf((value as Record<string | number, unknown>)[key], [...prefix, key]),
  ]);
}

/** A deep copy of `value` with the value at `path` replaced. */
function replaced(value: unknown, path: ReadonlyArray<string | number>, by: unknown): unknown {
  if (path.length === 0) return by;
  const [key, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[key!] = replaced(copy[key!], rest, by);
  return copy;
}

/** A small deterministic PRNG, so that a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe("decoding guard", () => {
  it("compiles for every generated response schema (none falls back to the slow decoder)", () => {
    for (const [name, schema] of Object.entries(responses)) {
      assert.isDefined(guardOf(schema.ast), name);
    }
  });

  it.effect("accepts exactly what the decoder accepts, and what it accepts decodes to itself", () =>
    Effect.gen(function* () {
      const next = random(14);
      let rejected = 0;
      for (const [name, schema] of Object.entries(responses)) {
        const guard = guardOf(schema.ast)!;
        const decode = Schema.decodeUnknownExit(schema as Schema.Decoder<unknown>);
        const samples = yield* Arbitrary.sampleEffect(Arbitrary.schema(schema), {
          count: SAMPLES_PER_SCHEMA,
          seed: name,
        });
        for (const sample of samples) {
          const body: unknown = JSON.parse(JSON.stringify(sample));
          assert.isTrue(guard(body), `${name}: a valid body is accepted: ${JSON.stringify(body)}`);
          const decoded = decode(body);
          assert.isTrue(Exit.isSuccess(decoded) && JSON.stringify(decoded.value) !== undefined, name);
          assert.deepStrictEqual((decoded as Exit.Success<unknown>).value, body, `${name} decodes to itself`);
          const paths = pathsOf(body);
          for (let m = 0; m < MUTATIONS_PER_SAMPLE && paths.length > 0; m++) {
            const path = paths[Math.floor(next() * paths.length)]!;
            const wrong = replaced(body, path, WRONG[Math.floor(next() * WRONG.length)]);
            const accepted = Exit.isSuccess(decode(wrong));
            assert.strictEqual(
              guard(wrong),
              accepted,
              `${name} at ${JSON.stringify(path)}: ${JSON.stringify(wrong)}`,
            );
            if (!accepted) rejected++;
          }
          for (const wrong of WRONG) assert.strictEqual(guard(wrong), Exit.isSuccess(decode(wrong)), name);
        }
      }
      // The mutations must actually exercise rejection, or the comparison above proves little.
      assert.isAbove(rejected, 1000);
    }),
  );

  it("checks a schema's own checks (an integer field rejects 1.5)", () => {
    const guard = guardOf(Schema.Struct({ version: Schema.Int }).ast)!;
    assert.isTrue(guard({ version: 2 }));
    assert.isFalse(guard({ version: 1.5 }));
    assert.isFalse(guard({ version: "2" }));
    assert.isFalse(guard({}));
  });

  it("handles tuples, literals, wider unions and recursive schemas", () => {
    const tuple = guardOf(Schema.Tuple([Schema.String, Schema.Number]).ast)!;
    assert.isTrue(tuple(["a", 1]));
    assert.isFalse(tuple(["a", 1, 2]));
    assert.isFalse(tuple(["a"]));
    const literals = guardOf(Schema.Literals(["A", "B", "C"]).ast)!;
    assert.isTrue(literals("C"));
    assert.isFalse(literals("D"));
    interface Node {
      readonly children: ReadonlyArray<Node>;
    }
    const Node: Schema.Codec<Node> = Schema.Struct({
      children: Schema.Array(Schema.suspend((): Schema.Codec<Node> => Node)),
    });
    const tree = guardOf(Node.ast)!;
    assert.isTrue(tree({ children: [{ children: [] }] }));
    assert.isFalse(tree({ children: [{ children: [1] }] }));
  });

  it.effect("leaves to the decoder what it cannot vouch for: transformations, extra keys it would drop", () =>
    Effect.gen(function* () {
      assert.isUndefined(guardOf(Schema.Struct({ n: Schema.NumberFromString }).ast));
      const { guard, decode } = decoderOf(Schema.Struct({ a: Schema.String }) as Schema.Decoder<unknown>);
      assert.isFalse(guard!({ a: "x", extra: 1 }));
      // Schema's decoder still accepts it, and drops the key, as it always did.
      assert.deepStrictEqual(yield* decode({ a: "x", extra: 1 }), { a: "x" });
      const error = yield* Effect.flip(decode({ a: 1 }));
      assert.include(error.message, `["a"]`);
    }),
  );
});

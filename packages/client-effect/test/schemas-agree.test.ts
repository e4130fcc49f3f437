// The generated Effect `Schemas` (public, for callers who decode Square's data themselves) agree with
// core's rule of how deep answers and events are checked (`shapeProblem`), which is what the client
// itself applies: for sample answers and events, and thousands of variants with a field of the wrong
// type, the Schema accepts exactly what core accepts. So a Schema decode never refuses what the client
// returned, and never lets through what the client refused.
import { assert, describe, it } from "@effect/vitest";
import { customerEventTypes, shapeProblem } from "@square-customers/core";
import { Arbitrary, Effect, Exit, Schema } from "effect";
import { customerEvents, responses } from "../src/generated/schemas.js";

const SAMPLES_PER_SCHEMA = 8;
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

/** The schemas to compare, by the model name core's shapes use. */
const models: Array<[string, Schema.Top]> = [
  ...Object.entries(responses),
  ...Object.entries(customerEvents).map(([type, schema]): [string, Schema.Top] => [
    customerEventTypes[type as keyof typeof customerEventTypes],
    schema,
  ]),
];

describe("the generated Schemas and core's response check", () => {
  it.effect("accept exactly the same answers and events", () =>
    Effect.gen(function* () {
      const next = random(17);
      let refused = 0;
      for (const [model, schema] of models) {
        const decode = Schema.decodeUnknownExit(schema as Schema.Decoder<unknown>);
        const samples = yield* Arbitrary.sampleEffect(Arbitrary.schema(schema as Schema.Codec<unknown>), {
          count: SAMPLES_PER_SCHEMA,
          seed: model,
        });
        for (const sample of samples) {
          const body: unknown = JSON.parse(JSON.stringify(sample));
          assert.isUndefined(shapeProblem(model, body), `${model}: ${JSON.stringify(body)}`);
          assert.isTrue(Exit.isSuccess(decode(body)), model);
          const paths = pathsOf(body);
          for (let m = 0; m < MUTATIONS_PER_SAMPLE && paths.length > 0; m++) {
            const path = paths[Math.floor(next() * paths.length)]!;
            const wrong = replaced(body, path, WRONG[Math.floor(next() * WRONG.length)]);
            const accepted = shapeProblem(model, wrong) === undefined;
            assert.strictEqual(
              Exit.isSuccess(decode(wrong)),
              accepted,
              `${model} at ${JSON.stringify(path)}: ${JSON.stringify(wrong)}`,
            );
            if (!accepted) refused++;
          }
        }
      }
      // The mutations must exercise refusals, or the comparison proves little.
      assert.isAbove(refused, 1000);
    }),
  );
});

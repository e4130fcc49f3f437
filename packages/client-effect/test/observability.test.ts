// Spans: one `square.<operation>` per call with method, path template, status and attempts. The token
// appears in no span, log line, error or printed value.
import { inspect } from "node:util";
import { assert, layer } from "@effect/vitest";
import { Effect, Logger, Option, References, Stream } from "effect";
import { SquareClient } from "../src/index.js";
import { clientLayer, dumpSpan, Emulator, recordingTracer, withFaults } from "./support.js";

const TOKEN = "sq0atp-this-must-never-leak";

layer(Emulator.layer(), { excludeTestServices: true })("observability", (it) => {
  it.effect("each call runs in square.<operation> with method, path template, status and attempts", () => {
    const { spans, tracer } = recordingTracer();
    return Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers
        .create({ given_name: "Ada" })
        .pipe(withFaults([{ kind: "unavailable", operations: ["createCustomer"], nth: [1] }]));
      yield* Effect.flip(customers.retrieve("missing"));
      yield* customers.retrieve(customer!.id!);

      const create = spans.find((s) => s.name === "square.createCustomer")!;
      assert.strictEqual(create.attributes.get("http.request.method"), "POST");
      assert.strictEqual(create.attributes.get("url.template"), "/v2/customers");
      assert.strictEqual(create.attributes.get("http.response.status_code"), 200);
      assert.strictEqual(create.attributes.get("square.attempts"), 2);
      assert.strictEqual(create.kind, "client");

      const [missing, found] = spans.filter((s) => s.name === "square.retrieveCustomer");
      assert.strictEqual(missing!.attributes.get("url.template"), "/v2/customers/{customer_id}");
      assert.strictEqual(missing!.attributes.get("http.response.status_code"), 404);
      assert.strictEqual(missing!.status._tag, "Ended");
      assert.strictEqual(found!.attributes.get("square.attempts"), 1);
      // The transport's own spans sit under ours.
      const child = spans.find((s) => Option.getOrUndefined(s.parent) === found);
      assert.isDefined(child);
    }).pipe(Effect.withTracer(tracer), Effect.provide(clientLayer()));
  });

  it.effect("the token is in no span, log line, error or printed value", () => {
    const { spans, tracer } = recordingTracer();
    const lines: string[] = [];
    const logger = Logger.make((options) => {
      lines.push(inspect([options.message, options.cause], { depth: 10 }));
    });
    return Effect.gen(function* () {
      const square = yield* SquareClient;
      const { customers } = square;
      const printed: string[] = [String(square), JSON.stringify(square) ?? ""];
      yield* customers.create({ given_name: "Grace" });
      yield* Stream.runDrain(customers.listStream());
      const errors = [
        yield* Effect.flip(customers.retrieve("missing")),
        yield* Effect.flip(customers.create({ email_address: "bad" })),
        yield* Effect.flip(customers.list()).pipe(
          withFaults([{ kind: "malformed_body", operations: ["listCustomers"] }]),
        ),
        yield* Effect.flip(customers.list()).pipe(
          withFaults([{ kind: "drop_connection", operations: ["listCustomers"] }]),
        ),
        yield* Effect.flip(customers.list(undefined, { timeout: "10 millis" })).pipe(
          withFaults([{ kind: "latency", operations: ["listCustomers"], latencyMs: 100 }]),
        ),
      ];
      yield* Effect.logWarning("errors", ...errors);
      for (const error of errors)
        printed.push(String(error), JSON.stringify(error), error.message, inspect(error, { depth: 10 }));
      const everything = [...printed, ...lines, ...spans.map(dumpSpan)].join("\n");
      assert.isAbove(spans.length, 5);
      assert.isAbove(lines.length, 0);
      assert.notInclude(everything, TOKEN);
    }).pipe(
      Effect.withTracer(tracer),
      Effect.provide(Logger.layer([logger])),
      Effect.provideService(References.MinimumLogLevel, "Trace"),
      Effect.provide(clientLayer({ accessToken: TOKEN })),
    );
  });
});

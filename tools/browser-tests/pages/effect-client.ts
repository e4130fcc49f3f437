// The Effect client in a browser page (FetchHttpClient, whose trace headers need CORS approval too):
// create, list, and a typed not-found.
import { SquareClient } from "@square-customers/client-effect";
import { Effect } from "effect";
import { FetchHttpClient } from "effect/http";
import type { TourResult } from "./tour.ts";

function effectTour(baseUrl: string, token: string): Promise<TourResult> {
  const program = Effect.gen(function* () {
    const square = yield* SquareClient;
    const { customer } = yield* square.customers.create({ given_name: "Browser", family_name: "Effect" });
    const page = yield* square.customers.list({ limit: 100 });
    const notFound = yield* square.customers.retrieve("NO-SUCH-CUSTOMER").pipe(
      Effect.flatMap(() => Effect.die("retrieving a missing customer succeeded")),
      Effect.catchTag("SquareNotFound", (e) =>
        Effect.succeed({
          kind: e._tag,
          typed: e._tag === "SquareNotFound",
          status: e.status,
          requestId: e.requestId,
        }),
      ),
    );
    return {
      created: { id: customer!.id!, given_name: customer!.given_name ?? undefined },
      listedIds: (page.customers ?? []).map((c) => c.id!),
      notFound,
    };
  });
  return Effect.runPromise(
    program.pipe(
      Effect.provide(SquareClient.layer({ accessToken: token, environment: baseUrl })),
      Effect.provide(FetchHttpClient.layer),
    ),
  );
}

window.tours = { ...window.tours, effect: effectTour };

// The promise client in a browser page: create, list, and a typed not-found.
import { createSquareClient, NotFoundError } from "@square-customers/client";
import type { Failure, TourResult } from "./tour.ts";

async function promiseTour(baseUrl: string, token: string): Promise<TourResult> {
  const square = createSquareClient({ accessToken: token, environment: baseUrl });
  const { customer } = await square.customers.create({ given_name: "Browser", family_name: "Promise" });
  const page = await square.customers.list({ limit: 100 });
  let notFound: TourResult["notFound"] | undefined;
  try {
    await square.customers.retrieve("NO-SUCH-CUSTOMER");
  } catch (error) {
    const e = error as NotFoundError;
    notFound = { kind: e.name, typed: e instanceof NotFoundError, status: e.status, requestId: e.requestId };
  }
  if (notFound === undefined) throw new Error("retrieving a missing customer succeeded");
  return {
    created: { id: customer!.id!, given_name: customer!.given_name ?? undefined },
    listedIds: (page.customers ?? []).map((c) => c.id!),
    notFound,
  };
}

/** One create without retries: the customer's id, or how it failed. */
async function createOnce(baseUrl: string, token: string): Promise<Failure | string> {
  const square = createSquareClient({ accessToken: token, environment: baseUrl, maxRetries: 0 });
  try {
    return (await square.customers.create({ given_name: "Blocked" })).customer!.id!;
  } catch (error) {
    return { failed: true, name: (error as Error).name, message: (error as Error).message };
  }
}

window.tours = { ...window.tours, promise: promiseTour, promiseCreateOnce: createOnce };

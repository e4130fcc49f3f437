import {
  contentIdempotencyKey,
  type InputOf,
  issueToErrorDetail,
  type OperationName,
  type PathArgs,
  type ResponseOf,
  type SquareErrorDetail,
  type ValidationIssue,
} from "@square-customers/core";
import { decodeCursor, encodeCursor } from "../../data/cursor.js";
import type { ObjectKind, Store } from "../../data/store.js";
import { IDEMPOTENCY_KEY_REUSED } from "../../square-choices.js";
import type { Changes } from "../../webhooks/changes.js";
import type { WebhookDispatcher } from "../../webhooks/dispatcher.js";
import { ApiError, errorDetail } from "../errors.js";

/** What a handler gets: the merchant's store view and the request, already validated by core. */
export interface Context<N extends OperationName> {
  readonly store: Store;
  readonly merchant: string;
  readonly path: PathArgs<N>;
  readonly input: InputOf<N>;
  /**
   * Validation issues of single entries of a bulk request, by map key, with fields relative to the
   * entry: Square answers those per entry and still processes the rest.
   */
  readonly itemIssues: ReadonlyMap<string, readonly ValidationIssue[]>;
  /**
   * Where a handler writes down each change right after making it: the webhook events that follow the
   * commit are built from these (webhooks/changes.ts).
   */
  readonly changes: Changes;
  /** Webhook delivery (the subscription test operation sends through it). */
  readonly webhooks: WebhookDispatcher;
}

/**
 * A handler answers synchronously, inside the request's transaction. One that must wait for the network
 * (the subscription test) does its store work synchronously and returns a promise of the rest, which
 * runs after the transaction has committed and must not touch the store.
 */
export type Handler<N extends OperationName> = (ctx: Context<N>) => ResponseOf<N> | Promise<ResponseOf<N>>;
export type Handlers = { readonly [N in OperationName]: Handler<N> };

/**
 * One entry of a bulk call: its own validation issues if it has any (without running it, as the entry may
 * not even be an object), else the result of `run`, or the Square error `run` threw, as that entry's
 * `errors`. The other entries are processed either way.
 */
export function bulkEntry<T extends object>(
  ctx: { readonly itemIssues: ReadonlyMap<string, readonly ValidationIssue[]> },
  key: string,
  run: () => T,
): T | { errors: SquareErrorDetail[] } {
  const issues = ctx.itemIssues.get(key);
  if (issues !== undefined && issues.length > 0) return { errors: issues.map(issueToErrorDetail) };
  try {
    return run();
  } catch (error) {
    if (error instanceof ApiError) return { errors: error.errors };
    throw error;
  }
}

/**
 * Idempotent execution: the first answer for (merchant, scope, key) is stored in the same transaction as
 * the write, and returned again for a repeat with the same request. A repeat with a different request is
 * an error. Without a key, `run` simply runs. Failed attempts store nothing, so they can be retried.
 */
export function idempotent<T>(
  ctx: { readonly store: Store; readonly merchant: string },
  scope: string,
  key: string | null | undefined,
  request: unknown,
  run: () => T,
): T {
  if (key == null || key === "") return run();
  const fingerprint = contentIdempotencyKey(request);
  const prior = ctx.store.getIdempotent(ctx.merchant, scope, key);
  if (prior !== undefined) {
    if (prior.fingerprint === fingerprint) return JSON.parse(prior.response) as T;
    throw new ApiError(IDEMPOTENCY_KEY_REUSED.status, [
      errorDetail(
        IDEMPOTENCY_KEY_REUSED.category,
        IDEMPOTENCY_KEY_REUSED.code,
        "The idempotency key was already used for a different request.",
        "idempotency_key",
      ),
    ]);
  }
  const result = run();
  ctx.store.putIdempotent(ctx.merchant, scope, key, fingerprint, JSON.stringify(result));
  return result;
}

/**
 * One keyset page of stored objects (groups, segments, definitions, a customer's attributes) as a list
 * answer: the items under `itemsKey` and the cursor, each left out when there is none (an empty page is
 * `{}`, as in Square's answers).
 */
export function pageObjects<K extends string, T>(
  store: Store,
  merchant: string,
  kind: ObjectKind,
  parent: string,
  request: { cursor?: string | undefined; limit?: number | undefined },
  defaultLimit: number,
  itemsKey: K,
  map: (json: string) => T,
): { [P in K]?: T[] } & { cursor?: string } {
  const scope = `${kind}:${parent}`;
  const after = request.cursor === undefined ? 0 : decodeCursor(store.cursorKey, scope, request.cursor).seq;
  const limit = request.limit ?? defaultLimit;
  const rows = store.listObjects(merchant, kind, parent, after, limit + 1);
  const shown = rows.slice(0, limit);
  const page: Record<string, unknown> = {};
  if (shown.length > 0) page[itemsKey] = shown.map((r) => map(r.data));
  const last = shown.at(-1);
  if (rows.length > limit && last !== undefined)
    page.cursor = encodeCursor(store.cursorKey, scope, { value: null, seq: last.seq });
  return page as { [P in K]?: T[] } & { cursor?: string };
}

/** ISO timestamp for the store's monotonic clock. */
export function now(store: Store): string {
  return new Date(store.nowMs()).toISOString();
}

// Who is asking: a bearer token becomes a grant (the token and its OAuth scopes) and then a merchant.
// Every token is its own merchant, created (and seeded) the first time it is seen; the store keeps only
// a SHA-256 of the token, never the token itself.
import type { OperationDefinition } from "@square-customers/core";
import { sha256, stableId } from "../data/ids.js";
import { type MerchantSeed, seedMerchant } from "../data/seed.js";
import type { Store } from "../data/store.js";
import { errorDetail } from "./errors.js";
import { envelope, type Reply } from "./http.js";

/** An OAuth scope an operation needs (from core's operations table). */
export type Scope = NonNullable<OperationDefinition["scope"]>;

/** An accepted access token, optionally limited to some OAuth scopes (default: all). */
export type TokenGrant = string | { readonly token: string; readonly scopes?: readonly Scope[] };

/** A token the emulator accepts, and the scopes it has (all when `scopes` is absent). */
export interface Grant {
  readonly token: string;
  readonly scopes?: readonly Scope[];
}

/** The accepted tokens, or `undefined` when any token is accepted (each as its own merchant). */
export function grantList(tokens: readonly TokenGrant[] | undefined): Grant[] | undefined {
  return tokens?.map((g): Grant => (typeof g === "string" ? { token: g } : g));
}

/**
 * The grant of a request's `Authorization` header for an operation, or the 401 / 403 to answer.
 * Without a token list every token is accepted, with every scope.
 */
export function authorize(
  grants: readonly Grant[] | undefined,
  authorization: string | undefined,
  operation: OperationDefinition,
): Grant | Reply {
  const token = bearerToken(authorization);
  const grant =
    token === undefined
      ? undefined
      : grants === undefined
        ? { token }
        : grants.find((g) => g.token === token);
  if (grant === undefined) {
    return envelope(401, [
      errorDetail("AUTHENTICATION_ERROR", "UNAUTHORIZED", "This request could not be authorized."),
    ]);
  }
  if (grant.scopes !== undefined && operation.scope !== null && !grant.scopes.includes(operation.scope)) {
    return envelope(403, [
      errorDetail(
        "AUTHENTICATION_ERROR",
        "INSUFFICIENT_SCOPES",
        `This request needs the ${operation.scope} scope.`,
      ),
    ]);
  }
  return grant;
}

/** The token of an `Authorization: Bearer <token>` header, if it is one. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
}

/** The id of a token's merchant: the one it has, or the one it will get on first sight. */
export function merchantIdOf(store: Store, token: string): string {
  const tokenHash = sha256(token);
  return store.findMerchant(tokenHash) ?? newMerchantId(tokenHash);
}

function newMerchantId(tokenHash: string): string {
  return stableId("merchant", tokenHash).slice(0, 13);
}

/** The merchant of a token, created (and seeded) on first sight. */
export function merchantOf(store: Store, token: string, seed: MerchantSeed): string {
  const tokenHash = sha256(token);
  const known = store.findMerchant(tokenHash);
  if (known !== undefined) return known;
  const merchant = newMerchantId(tokenHash);
  store.transaction(() => {
    store.addMerchant(tokenHash, merchant);
    seedMerchant(store, merchant, seed);
  });
  return merchant;
}

import { operation } from "../table/operation.js";
import type { OperationDefinition } from "../table/operation-definition.js";
import type { OperationName } from "../table/types.js";

/** An operation call turned into HTTP terms, before any base URL or headers are added. */
export interface RequestParts {
  readonly method: OperationDefinition["method"];
  /** The path with every parameter filled in and percent-encoded. */
  readonly path: string;
  /** The path template from the operations table (safe to log and to use as a span attribute). */
  readonly pathTemplate: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** The JSON body, or undefined for operations without one. */
  readonly body: unknown;
}

/**
 * Builds method, path, query and body for one call. `input` is the body for operations that take one,
 * and the query parameters otherwise (no operation under /v2/customers takes both).
 */
export function buildRequest(name: OperationName, pathArgs: readonly string[], input?: object): RequestParts {
  const op = operation(name);
  let index = 0;
  const path = op.path.replace(/\{\w+\}/g, () => encodeURIComponent(pathArgs[index++] ?? ""));
  if (op.body !== null) {
    return { method: op.method, path, pathTemplate: op.path, query: [], body: input ?? {} };
  }
  const query: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(input ?? {})) {
    if (value !== undefined && value !== null) query.push([key, String(value)]);
  }
  return { method: op.method, path, pathTemplate: op.path, query, body: undefined };
}

/** `path?a=1&b=2` from request parts. */
export function pathWithQuery(parts: Pick<RequestParts, "path" | "query">): string {
  if (parts.query.length === 0) return parts.path;
  return `${parts.path}?${new URLSearchParams(parts.query as Array<[string, string]>).toString()}`;
}

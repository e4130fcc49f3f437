// Routing straight from core's operations table: a path template per operation, `{name}` segments
// matching any one non-empty segment. Nothing here names a path of its own.
import { type OperationName, operations } from "@square-customers/core";

interface Template {
  readonly segments: readonly string[];
  /** Operation by HTTP method for this path template. */
  readonly methods: Map<string, OperationName>;
}

export type RouteResult =
  | { readonly kind: "found"; readonly name: OperationName; readonly pathArgs: string[] }
  | { readonly kind: "method_not_allowed"; readonly allow: string[] }
  | { readonly kind: "not_found" };

const templates: Template[] = [];
for (const [name, op] of Object.entries(operations) as Array<
  [OperationName, (typeof operations)[OperationName]]
>) {
  let t = templates.find((x) => x.segments.join("/") === op.path.slice(1));
  if (t === undefined) {
    t = { segments: op.path.slice(1).split("/"), methods: new Map() };
    templates.push(t);
  }
  t.methods.set(op.method, name);
}

const isParam = (segment: string) => segment.startsWith("{");

/**
 * Literal segments win over parameters, position by position from the left, so
 * `/v2/customers/groups` is the groups listing, not a customer with id "groups". The best template
 * decides alone: a method it lacks is a 405, even if a vaguer template has that method.
 */
function moreSpecific(a: Template, b: Template): number {
  for (let i = 0; i < a.segments.length; i++) {
    const pa = isParam(a.segments[i]!);
    const pb = isParam(b.segments[i]!);
    if (pa !== pb) return pa ? 1 : -1;
  }
  return 0;
}

/** Matches a raw request path (no query string). Undecodable percent-escapes are a plain 404. */
export function route(method: string, rawPath: string): RouteResult {
  if (!rawPath.startsWith("/")) return { kind: "not_found" };
  let segments: string[];
  try {
    segments = rawPath.slice(1).split("/").map(decodeURIComponent);
  } catch {
    return { kind: "not_found" };
  }
  const candidates = templates
    .filter(
      (t) =>
        t.segments.length === segments.length &&
        t.segments.every((s, i) => (isParam(s) ? segments[i] !== "" : s === segments[i])),
    )
    .sort(moreSpecific);
  const best = candidates[0];
  if (best === undefined) return { kind: "not_found" };
  const name = best.methods.get(method);
  if (name === undefined) return { kind: "method_not_allowed", allow: [...best.methods.keys()].sort() };
  return { kind: "found", name, pathArgs: segments.filter((_, i) => isParam(best.segments[i]!)) };
}

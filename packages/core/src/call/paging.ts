import { operation } from "../table/operation.js";
import type { ItemOf, PagedOperationName, ResponseOf } from "../table/types.js";

function pagingOf(name: PagedOperationName) {
  const paging = operation(name).paging;
  if (!paging) throw new Error(`${name} does not page`);
  return paging;
}

/** The items of one page (an empty page may leave the field out entirely). */
export function pageItems<N extends PagedOperationName>(name: N, response: ResponseOf<N>): Array<ItemOf<N>> {
  const items = (response as Record<string, unknown>)[pagingOf(name).items];
  return Array.isArray(items) ? (items as Array<ItemOf<N>>) : [];
}

/** The cursor of the next page, or undefined on the last page. */
export function nextCursor(response: unknown): string | undefined {
  const cursor = (response as { cursor?: unknown } | null)?.cursor;
  return typeof cursor === "string" && cursor !== "" ? cursor : undefined;
}

/** The same input with the cursor put where the operation expects it (query or body: both are `input`). */
export function withCursor<T extends object | undefined>(
  name: PagedOperationName,
  input: T,
  cursor: string,
): T {
  pagingOf(name);
  return { ...(input ?? {}), cursor } as T;
}

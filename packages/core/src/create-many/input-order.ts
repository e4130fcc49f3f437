// Results that arrive out of order (several bulk calls in flight) put back in input order.

/**
 * Puts results that arrive out of order (chunks finish in any order when several are in flight) back in
 * input order: `add` takes any results and returns those that are now next in line, in order.
 */
export class InputOrder<R extends { readonly index: number }> {
  #next = 0;
  readonly #waiting = new Map<number, R>();

  add(results: Iterable<R>): R[] {
    for (const result of results) this.#waiting.set(result.index, result);
    const ready: R[] = [];
    for (let r = this.#waiting.get(this.#next); r !== undefined; r = this.#waiting.get(this.#next)) {
      this.#waiting.delete(this.#next);
      ready.push(r);
      this.#next++;
    }
    return ready;
  }

  /** Results still waiting for an earlier one. */
  get pending(): number {
    return this.#waiting.size;
  }
}

/** What the HTTP layer said about the (last) attempt that produced a result. */
export interface RawResponse {
  readonly status: number;
  /** Response headers (never request headers, so never the token). */
  readonly headers: Headers;
  /** The server's request id, if it sent one. */
  readonly requestId: string | undefined;
  /** How many attempts were made, retries included (1 when the first one succeeded). */
  readonly attempts: number;
}

/** A result together with the raw response it came from. */
export interface WithResponse<T> {
  readonly data: T;
  readonly response: RawResponse;
}

/**
 * The value a non-paged method returns: await it for the typed body, or call `.withResponse()` for the
 * body plus status, headers and request id. The request starts at once (like any promise) and runs once,
 * however it is consumed. It is a thenable rather than a Promise subclass so that calling only
 * `.withResponse()` cannot leave a second, unobserved rejected promise behind.
 */
export class ApiCall<T> implements PromiseLike<T> {
  readonly #result: Promise<WithResponse<T>>;

  constructor(result: Promise<WithResponse<T>>) {
    this.#result = result;
  }

  // biome-ignore lint/suspicious/noThenProperty: this object is meant to be awaited.
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#result.then((r) => r.data).then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** The typed body plus the raw response's status, headers and request id. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result;
  }

  get [Symbol.toStringTag](): string {
    return "ApiCall";
  }
}

// What a page's tour of a client reports back to the test (plain data: it crosses into Node).

export interface TourResult {
  readonly created: { readonly id: string; readonly given_name: string | undefined };
  /** Ids of the first page of `list`. */
  readonly listedIds: readonly string[];
  /** How retrieving a missing customer failed. */
  readonly notFound: {
    /** The promise client's error class name, or the Effect error's tag. */
    readonly kind: string;
    /** `instanceof NotFoundError` (promise client) or `_tag === "SquareNotFound"` (Effect client). */
    readonly typed: boolean;
    readonly status: number | undefined;
    /** Read from the x-request-id header, which only an exposed CORS header makes readable. */
    readonly requestId: string | undefined;
  };
}

/** A failure as text, for calls that are expected to fail in the browser (blocked by CORS). */
export interface Failure {
  readonly failed: true;
  readonly name: string;
  readonly message: string;
}

export type Tour = (baseUrl: string, token: string) => Promise<TourResult>;

declare global {
  interface Window {
    tours?: {
      promise?: Tour;
      effect?: Tour;
      promiseCreateOnce?: (baseUrl: string, token: string) => Promise<Failure | string>;
    };
  }
}

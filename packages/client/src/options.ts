// The client's options, and what they resolve to once checked. The checks and defaults are core's
// (token, environment, retry budget, timeout, redaction), so both clients refuse and default alike.
import {
  checkAccessToken,
  checkMaxRetries,
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_MS,
  type Environment,
  type Redactor,
  redactor,
  resolveBaseUrl,
} from "@square-customers/core/client-kit";
import type { AfterResponseHook, BeforeRequestHook } from "ky";

/** Receives one line per request, response and retry. Never sees the token. `console` fits. */
export interface Logger {
  debug(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface SquareClientOptions {
  /** Square access token (or any token, for the emulator). Sent only in the Authorization header. */
  readonly accessToken: string;
  /** `"production"` (default), `"sandbox"`, or a base URL such as the emulator's. */
  readonly environment?: Environment;
  /** `Square-Version` header; defaults to the version core was generated from. */
  readonly squareVersion?: string;
  /** Retries after the first attempt, for failures that may be retried (default 2). */
  readonly maxRetries?: number;
  /** Per-attempt time limit in ms for the response (headers and body); `false` for none. Default 30 000. */
  readonly timeout?: number | false;
  /** A fetch to use instead of the global one (instrumentation, tests, special runtimes). */
  readonly fetch?: typeof globalThis.fetch;
  /** Extra headers sent with every request (never `Authorization`, `Square-Version`, `Accept` or `Content-Type`). */
  readonly headers?: RequestInit["headers"];
  /** ky hooks, run on every attempt (retries are attempts too). */
  readonly hooks?: {
    readonly beforeRequest?: readonly BeforeRequestHook[];
    readonly afterResponse?: readonly AfterResponseHook[];
  };
  readonly logger?: Logger;
  /** Backoff bounds passed to core's `retryDelay` (defaults there: 500 ms base, 30 s cap). */
  readonly backoff?: { readonly baseMs?: number; readonly maxMs?: number };
}

/** Per-call options, the last argument of every method. */
export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly timeout?: number | false;
  readonly maxRetries?: number;
  /** Extra headers for this call; like the client's, they can never replace the client's own headers. */
  readonly headers?: RequestInit["headers"];
}

/** The client's options, checked, with defaults filled in. */
export interface Settings {
  readonly token: string;
  readonly baseUrl: string;
  readonly maxRetries: number;
  readonly timeout: number | false;
  readonly redact: Redactor;
}

/** Checks the options; a bad one is a programming error, thrown at once (TypeError or RangeError). */
export function resolveSettings(options: SquareClientOptions): Settings {
  const token = checkAccessToken(options.accessToken);
  return {
    token,
    baseUrl: resolveBaseUrl(options.environment),
    maxRetries: checkMaxRetries(options.maxRetries ?? DEFAULT_MAX_RETRIES),
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    redact: redactor(token),
  };
}

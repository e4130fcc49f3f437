// What a client's options accept, checked the same way in both clients: the environment (a named one or a
// base URL), the access token, and the default time limit of an attempt.

/** Base URLs of Square's environments. */
export const ENVIRONMENTS = {
  production: "https://connect.squareup.com",
  sandbox: "https://connect.squareupsandbox.com",
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

/** What a client accepts as its `environment`: a named environment or a base URL. */
export type Environment = EnvironmentName | URL | (string & {});

/**
 * The base URL for `environment`: Square's production or sandbox, or any absolute http(s) URL (such as
 * the emulator's), without a trailing slash. Undefined when it is none of these.
 */
export function baseUrlFor(environment: Environment = "production"): string | undefined {
  if (typeof environment === "string" && Object.hasOwn(ENVIRONMENTS, environment)) {
    return ENVIRONMENTS[environment as EnvironmentName];
  }
  let url: URL;
  try {
    url = new URL(String(environment));
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return url.href.replace(/\/+$/, "");
}

/** What `baseUrlFor` accepts, for error messages. */
export const ENVIRONMENT_EXPECTED = '"production", "sandbox" or an http(s) URL';

/**
 * The base URL for a client's `environment`, or a TypeError naming what is accepted: a bad environment is
 * a programming error, reported the same way by both clients.
 */
export function resolveBaseUrl(environment: Environment | undefined): string {
  const url = baseUrlFor(environment);
  if (url === undefined) {
    throw new TypeError(`environment must be ${ENVIRONMENT_EXPECTED}, got ${String(environment)}`);
  }
  return url;
}

/** Checks a client's access token: a TypeError for anything but a non-empty string. */
export function checkAccessToken(token: unknown): string {
  if (typeof token !== "string" || token.trim() === "") {
    throw new TypeError("accessToken must be a non-empty string");
  }
  return token;
}

/** Per-attempt time limit for a whole response (headers and body) unless the caller sets another. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** The Square-Version this package was generated from and sends by default. */
export const SQUARE_VERSION = "2025-08-20";

/** Base URLs of Square's environments. */
export const ENVIRONMENTS = {
  production: "https://connect.squareup.com",
  sandbox: "https://connect.squareupsandbox.com",
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

/**
 * The base URL for `environment`: Square's production or sandbox, or any absolute http(s) URL (such as
 * the emulator's), without a trailing slash. Undefined when it is none of these.
 */
export function baseUrlFor(
  environment: EnvironmentName | URL | (string & {}) = "production",
): string | undefined {
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

/** Response header carrying the server's request id (the emulator's choice; Square documents none). */
export const REQUEST_ID_HEADER = "x-request-id";

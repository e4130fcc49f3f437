/** The Square-Version this package was generated from and sends by default. */
export const SQUARE_VERSION = "2025-08-20";

/** Base URLs of Square's environments. */
export const ENVIRONMENTS = {
  production: "https://connect.squareup.com",
  sandbox: "https://connect.squareupsandbox.com",
} as const;

export type EnvironmentName = keyof typeof ENVIRONMENTS;

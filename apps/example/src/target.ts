// Where the commands send their requests:
//   default                      an emulator started inside this process (in memory: it ends with the
//                                command, so every run starts from a fresh, optionally seeded, merchant)
//   --url http://127.0.0.1:4010  a running emulator (`square-customers-emulator`), which keeps its state
//                                between commands
//   --environment sandbox|production   real Square, with the token from SQUARE_ACCESS_TOKEN
// The token is only ever handed to the clients; nothing here prints or logs it.
import type { Emulator } from "@square-customers/emulator";
import { CliError, EXIT_USAGE } from "./errors.js";

export interface TargetOptions {
  readonly url?: string;
  readonly environment?: "sandbox" | "production";
  /** Sample customers the embedded emulator starts with. */
  readonly seed?: number;
  /** Shrinks the embedded emulator's webhook retry schedule (the demo's mirror section). */
  readonly webhookRetryScale?: number;
}

/** The embedded emulator's controls that the demo uses: API faults, webhook faults and deliveries. */
export type EmbeddedEmulator = Pick<Emulator, "faults" | "webhooks">;

export interface Target {
  /** What the clients take as `environment`: a named environment or a base URL. */
  readonly environment: string;
  readonly accessToken: string;
  /** For humans: where requests go (never includes the token). */
  readonly label: string;
  readonly kind: "embedded" | "url" | "square";
  /** Set when the emulator runs in this process. */
  readonly emulator?: EmbeddedEmulator;
  close(): Promise<void>;
}

/**
 * The merchant used when talking to an emulator without SQUARE_ACCESS_TOKEN (any token works there).
 * The READMEs' curl line and client examples use the same token, so they all see the same customers.
 */
export const EMULATOR_TOKEN = "dev-token";

export async function openTarget(options: TargetOptions): Promise<Target> {
  const envToken = process.env.SQUARE_ACCESS_TOKEN?.trim() || undefined;
  if (options.environment) {
    if (!envToken) {
      throw new CliError(
        `--environment ${options.environment} needs an access token: set SQUARE_ACCESS_TOKEN`,
        EXIT_USAGE,
      );
    }
    return {
      environment: options.environment,
      accessToken: envToken,
      label: `Square ${options.environment}`,
      kind: "square",
      close: async () => {},
    };
  }
  if (options.url) {
    return {
      environment: options.url,
      accessToken: envToken ?? EMULATOR_TOKEN,
      label: options.url,
      kind: "url",
      close: async () => {},
    };
  }
  // Loaded only when needed: --url and --environment never pay for the emulator.
  const { startEmulator } = await import("@square-customers/emulator");
  const emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    ...(options.seed ? { seed: options.seed } : {}),
    ...(options.webhookRetryScale ? { webhookRetryScale: options.webhookRetryScale } : {}),
  });
  return {
    environment: emulator.url,
    // The embedded emulator is private to this process, so a fixed token is enough (and keeps a real
    // Square token in the environment from being sent anywhere it is not needed).
    accessToken: EMULATOR_TOKEN,
    label: `embedded emulator at ${emulator.url} (in memory${options.seed ? `, ${options.seed} sample customers` : ""})`,
    kind: "embedded",
    emulator,
    close: () => emulator.close(),
  };
}

/** Parses `--url`: an absolute http(s) URL. */
export function parseUrl(value: string): string {
  const url = URL.parse(value);
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new CliError(`--url must be an http:// or https:// URL, got "${value}"`, EXIT_USAGE);
  }
  // The clients add /v2/… to the base URL themselves: a base ending in /v2 would ask for /v2/v2/….
  if (/\/v2\/*$/.test(url.pathname)) {
    const base = `${url.origin}${url.pathname.replace(/\/v2\/*$/, "")}`.replace(/\/+$/, "");
    throw new CliError(
      `--url is the server's base URL, without /v2 (the client adds it): use --url ${base}`,
      EXIT_USAGE,
    );
  }
  return url.href.replace(/\/+$/, "");
}

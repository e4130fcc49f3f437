// Exit codes and the one place an error becomes the message a user reads.
//   0  done
//   1  the API said no, could not be reached, or some rows were not imported
//   2  bad usage: unknown flag, bad value, missing or malformed file (nothing was sent)
//   130  interrupted (Ctrl-C), as shells report a command stopped by SIGINT
import { NOT_HTTPS_DETAIL } from "@square-customers/core";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** An error meant for the user: its message is printed as is, and the process exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** What the user should try, by the kind of failure (both clients' error names and tags). */
const HINTS: Record<string, string> = {
  UnauthorizedError: "check SQUARE_ACCESS_TOKEN (it must belong to the environment you target)",
  SquareUnauthorized: "check SQUARE_ACCESS_TOKEN (it must belong to the environment you target)",
  ForbiddenError: "the access token lacks the CUSTOMERS_READ / CUSTOMERS_WRITE permission",
  SquareForbidden: "the access token lacks the CUSTOMERS_READ / CUSTOMERS_WRITE permission",
  ConnectionError: "is the server running and the --url right?",
  SquareTransportError: "is the server running and the --url right?",
  RateLimitError: "Square is rate limiting this token; wait a minute and try again",
  SquareRateLimited: "Square is rate limiting this token; wait a minute and try again",
};

/** A one-paragraph description of any error, with a hint when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof Error || isTagged(error)) {
    const e = error as { name?: string; _tag?: string; message: string; requestId?: string };
    const kind = e._tag ?? e.name ?? "Error";
    // A message that says what to do already needs no general hint.
    const hint = e.message.includes(NOT_HTTPS_DETAIL) ? undefined : HINTS[kind];
    const request = e.requestId ? ` (request id ${e.requestId})` : "";
    return `${e.message}${request}${hint ? `\n  hint: ${hint}` : ""}`;
  }
  return String(error);
}

/** Usage problems (exit 2) versus everything else (exit 1). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  const e = error as { name?: string; _tag?: string } | undefined;
  // Pre-flight validation rejected what the flags asked for: nothing was sent, the input was wrong.
  if (e?.name === "RequestValidationError" || e?._tag === "SquareRequestInvalid") return EXIT_USAGE;
  return EXIT_FAILURE;
}

function isTagged(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_tag" in value && "message" in value;
}

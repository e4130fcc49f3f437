// Writes to real customers need a yes first: any command that changes data (import, update, delete)
// asks before it sends anything to Square production. `--yes` answers for scripts; without a terminal
// to ask on, and without --yes, the command refuses (exit 2) rather than guess.
import { createInterface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";
import type { TargetOptions } from "./target.js";

export interface ConfirmOptions extends Pick<TargetOptions, "environment"> {
  readonly yes?: boolean;
}

/** Where the question is asked: the terminal, or streams a test hands in. */
export interface Prompter {
  readonly input: Readable & { isTTY?: boolean };
  readonly output: Writable;
}

const terminal = (): Prompter => ({ input: process.stdin, output: process.stderr });

/** Resolves when `action` may go ahead against the target; fails (sending nothing) when it may not. */
export async function confirmWrite(
  options: ConfirmOptions,
  action: string,
  prompter: Prompter = terminal(),
): Promise<void> {
  if (options.environment !== "production" || options.yes) return;
  if (prompter.input.isTTY !== true) {
    throw new CliError(
      `refusing to ${action} in Square production without confirmation: ` +
        "pass --yes, or run the command in a terminal to be asked",
      EXIT_USAGE,
    );
  }
  const readline = createInterface({ input: prompter.input, output: prompter.output });
  // Ctrl-C or the end of input (Ctrl-D) at the prompt is a no.
  readline.on("SIGINT", () => readline.close());
  const closed = new Promise<string>((resolve) => readline.once("close", () => resolve("")));
  try {
    const answer = await Promise.race([
      readline.question(`This will ${action} in Square production (real customers). Type "yes" to go on: `),
      closed,
    ]);
    if (answer.trim().toLowerCase() !== "yes")
      throw new CliError("not confirmed: nothing was sent", EXIT_FAILURE);
  } finally {
    readline.close();
  }
}

// Ctrl-C during a long command: the first one asks the command to stop cleanly (it then reports what
// was done and how to go on), a second one ends the process at once.
import { EXIT_INTERRUPTED } from "./errors.js";
import { note } from "./output.js";

export interface Interruption {
  /** Aborted on the first Ctrl-C (SIGINT). */
  readonly signal: AbortSignal;
  /** Gives SIGINT back its default meaning. */
  dispose(): void;
}

export function listenForInterrupt(): Interruption {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    note("\nStopping… (press Ctrl-C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSigint) };
}

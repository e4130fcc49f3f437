// Ctrl-C, one rule for every command: an interrupted command prints its summary (what it did, and how
// to go on) and exits 130, as shells report a command stopped by SIGINT; it never dies by the signal.
//   - A long command listens with `listenForInterrupt()`: the first Ctrl-C aborts its signal, the
//     command stops cleanly and reports; a second one exits 130 at once.
//   - Any other moment (a command that does not listen, the start, the summary): "Interrupted." and 130.
// `handleInterrupts()` (cli.ts) installs the one SIGINT handler; cli.ts ends an interrupted command with 130.
import { EXIT_INTERRUPTED } from "./errors.js";
import { note } from "./output.js";

export interface Interruption {
  /** Aborted on the first Ctrl-C (SIGINT). */
  readonly signal: AbortSignal;
  /** Stops listening: a Ctrl-C after this ends the process at once (exit 130). */
  dispose(): void;
}

/** The command's listener, while one listens. */
let listening: AbortController | undefined;
let interrupted = false;

/** Whether a Ctrl-C reached this process (the command then exits 130, whatever it returned). */
export function wasInterrupted(): boolean {
  return interrupted;
}

function onSigint(): void {
  if (listening === undefined) {
    // A command with a SIGINT handler of its own decides for itself.
    if (process.listenerCount("SIGINT") > 1) return;
    interrupted = true;
    note("\nInterrupted.");
    process.exit(EXIT_INTERRUPTED);
  }
  interrupted = true;
  if (listening.signal.aborted) process.exit(EXIT_INTERRUPTED);
  note("\nStopping… (press Ctrl-C again to quit at once)");
  listening.abort();
}

/**
 * Installs the CLI's SIGINT handler (once, before any command runs), in place of any that a wrapper
 * (`npm run customers`) had set for the time before the CLI started.
 */
export function handleInterrupts(): void {
  process.removeAllListeners("SIGINT");
  process.on("SIGINT", onSigint);
}

export function listenForInterrupt(): Interruption {
  const controller = new AbortController();
  listening = controller;
  return {
    signal: controller.signal,
    dispose: () => {
      if (listening === controller) listening = undefined;
    },
  };
}

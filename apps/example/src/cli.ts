#!/usr/bin/env -S node --optimize-for-size
// The `customers` command. Runs the program, turns every failure into a message on stderr and an exit
// code (0 done, 1 API error or rows not imported, 2 bad usage or bad file, 130 interrupted), and never
// prints a stack trace for an expected failure.
//
// --optimize-for-size: an import keeps little alive (~30 MB, whatever the file's size), but it makes
// garbage fast, and on a machine with plenty of memory V8 then grows its young generation to 128 MB and
// lets the old one fill up between collections: ~350 MB of RSS for a 100,000-row import. With this flag
// V8 collects sooner (~145 MB) for a little more CPU. package.json's `customers` script passes it too.
import { CommanderError } from "commander";
import { describeError, EXIT_INTERRUPTED, EXIT_USAGE, exitCodeOf } from "./errors.js";
import { handleInterrupts, wasInterrupted } from "./interrupt.js";
import { buildProgram } from "./program.js";

// `customers list | head` closes the pipe early: that is the reader being done, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// The embedded emulator needs node:sqlite and the Effect client Node 22.19; on an older Node they fail
// with a cryptic "No such built-in module", so say what to do instead. The repository's toolchain script
// brings a suitable Node.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `customers: needs Node 22.19 or newer (this is ${process.version}).\n` +
      "  In the repository, `npm run customers -- <command>` runs it with a suitable Node.\n",
  );
  process.exit(EXIT_USAGE);
}

handleInterrupts();
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (wasInterrupted()) {
    // The command stopped because of Ctrl-C (an aborted request, say): that is no error of its own.
    if (!isAbort(error)) process.stderr.write(`customers: ${describeError(error)}\n`);
  } else if (error instanceof CommanderError) {
    // commander has printed the problem (or the help) already.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else {
    process.stderr.write(`customers: ${describeError(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
// Ctrl-C, whatever the command made of it: 130 (see interrupt.ts).
if (wasInterrupted()) exitOnceWritten(EXIT_INTERRUPTED);
// Anything still holding the event loop (an idle keep-alive socket) must not keep a finished command
// alive; the timer is unref'd, so a process that can exit on its own does so at once.
setTimeout(() => process.exit(), 2_000).unref();

/**
 * Exits with `code` once what was written to stdout and stderr is out. An interrupted command does not wait
 * for the event loop to run dry: Node closes the SIGINT handler on the way out that way, and a second Ctrl-C
 * in that moment would end the process by the signal instead of with 130.
 */
function exitOnceWritten(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

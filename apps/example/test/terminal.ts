// The CLI on a real pseudo-terminal (node-pty), its output rendered by a real terminal emulator
// (xterm.js, headless): tests compare the screen a user sees, cursor movements and line clearing
// included, not the bytes. Ctrl-C is typed as a user types it (the terminal turns it into SIGINT for
// the command's process group).
import pty from "@lydell/node-pty";
import xterm from "@xterm/headless";
import { CLI, childEnv, LOOPBACK_ONLY, type RunOptions } from "./support.js";

export interface TerminalRun {
  /** Everything the terminal shows, scrollback included, one string per row, right-trimmed. */
  screen(): Promise<string[]>;
  /** Types Ctrl-C. */
  interrupt(): void;
  /** Resolves when the screen has a row `match` accepts. */
  waitFor(match: (row: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (a process killed by a signal: 128 + its number). */
  readonly exited: Promise<number>;
}

export interface TerminalOptions extends RunOptions {
  readonly columns?: number;
  readonly rows?: number;
}

/** Runs `node dist/cli.js …args` on a pseudo-terminal of `columns` × `rows`. */
export function onTerminal(args: readonly string[], options: TerminalOptions = {}): TerminalRun {
  return onTerminalRun(process.execPath, ["--import", LOOPBACK_ONLY, CLI, ...args], options);
}

/** Runs any command on a pseudo-terminal (e.g. `npm run customers -- …`). */
export function onTerminalRun(
  file: string,
  args: readonly string[],
  options: TerminalOptions = {},
): TerminalRun {
  const columns = options.columns ?? 100;
  const rows = options.rows ?? 30;
  const terminal = new xterm.Terminal({ cols: columns, rows, scrollback: 10_000, allowProposedApi: true });
  const child = pty.spawn(file, [...args], {
    cols: columns,
    rows,
    cwd: options.cwd ?? process.cwd(),
    env: childEnv(options) as Record<string, string>,
  });
  let written = Promise.resolve();
  child.onData((data) => {
    written = written.then(() => new Promise<void>((resolve) => terminal.write(data, resolve)));
  });
  const exited = new Promise<number>((resolve) => {
    child.onExit(({ exitCode, signal }) => resolve(signal ? 128 + signal : exitCode));
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  void exited.then(() => clearTimeout(timer));

  const screen = async () => {
    await written;
    const buffer = terminal.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? "");
    while (lines.length > 0 && lines.at(-1) === "") lines.pop();
    return lines;
  };
  return {
    screen,
    interrupt: () => child.write("\x03"),
    async waitFor(match, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if ((await screen()).some(match)) return;
        if (Date.now() > deadline)
          throw new Error(`no such row on the screen:\n${(await screen()).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    exited,
  };
}

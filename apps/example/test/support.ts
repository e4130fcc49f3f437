// Runs the built CLI as a child process, the way a user does, and collects what it printed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** SQUARE_ACCESS_TOKEN for the child (each token is its own merchant on the emulator); unset when absent. */
  readonly token?: string;
  readonly cwd?: string;
  /** Kill the child after this long (a hung command fails its test instead of the whole run). */
  readonly timeoutMs?: number;
}

/** The child's environment: no colours, and SQUARE_ACCESS_TOKEN only when the test gives one. */
function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.SQUARE_ACCESS_TOKEN;
  delete env.FORCE_COLOR;
  if (options.token !== undefined) env.SQUARE_ACCESS_TOKEN = options.token;
  return env;
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return start(args, { ...options, timeoutMs: options.timeoutMs ?? 30_000 }).exited;
}

/** Parses stdout as JSON, failing with the child's output when it is not. */
export function json<T = unknown>(result: RunResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
}

/** A command still running: its output so far, a way to wait for a line, and to stop it. */
export interface Running {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first whole line `match` accepts (already printed or still to come; stdout by default). */
  line(
    match: (line: string) => boolean,
    options?: { stream?: "stdout" | "stderr"; timeoutMs?: number },
  ): Promise<string>;
  /** Sends a signal (SIGINT, as Ctrl-C does) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
  /** Resolves when the command exits on its own. */
  readonly exited: Promise<RunResult>;
}

/** Starts the CLI as a child process that keeps running (`customers sync`). */
export function start(args: readonly string[], options: RunOptions = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 60_000,
  });
  let stdout = "";
  let stderr = "";
  let wake = () => {};
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    wake();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    wake();
  });
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      wake();
      resolve({ code, stdout, stderr });
    });
  });
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async line(match, { stream = "stdout", timeoutMs = 20_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = stream === "stdout" ? stdout : stderr;
        const found = text.split("\n").find((l, i, all) => i < all.length - 1 && match(l));
        if (found !== undefined) return found;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`no such line (exit ${child.exitCode}):\n${stdout}\n--- stderr ---\n${stderr}`);
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async stop(signal = "SIGINT") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

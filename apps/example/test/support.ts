// Runs the built CLI as a child process, the way a user does, and collects what it printed.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/**
 * Loaded into every CLI process the tests start: its fetch refuses any host but 127.0.0.1, so a test of
 * `--environment production` (or a bug) can never send a request to real Square.
 */
export const LOOPBACK_ONLY = `data:text/javascript,${encodeURIComponent(`
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname !== "127.0.0.1") {
      return Promise.reject(new TypeError("test guard: no requests outside 127.0.0.1 (" + url.host + ")"));
    }
    return realFetch(input, init);
  };
`)}`;

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
export function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.SQUARE_ACCESS_TOKEN;
  delete env.FORCE_COLOR;
  if (options.token !== undefined) env.SQUARE_ACCESS_TOKEN = options.token;
  return env;
}

/** A CLI process still running: its output so far, a way to wait for a line, and to stop it. */
export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first whole line `match` accepts (already printed or still to come; stdout by default). */
  line(
    match: (line: string) => boolean,
    options?: { stream?: "stdout" | "stderr"; timeoutMs?: number },
  ): Promise<string>;
  /** Sends a signal (SIGINT, as Ctrl-C does) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<RunResult>;
  /** Resolves when the command exits. */
  readonly exited: Promise<RunResult>;
}

/** Starts the CLI as a child process (every test CLI process gets the loopback-only fetch). */
export function start(args: readonly string[], options: RunOptions = {}): Running {
  const child = spawn(process.execPath, ["--import", LOOPBACK_ONLY, CLI, ...args], {
    cwd: options.cwd,
    env: childEnv(options),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 60_000,
  });
  const output = collect(child);
  return {
    child,
    ...output,
    line: (match, lineOptions) => waitForLine(child, output, match, lineOptions),
    async stop(signal = "SIGINT") {
      if (child.exitCode === null) child.kill(signal);
      return output.exited;
    },
  };
}

/** What a child process prints, as it goes, and its exit code with all of it once it ends. */
export function collect(child: ChildProcess): Pick<Running, "stdout" | "stderr" | "exited"> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

/** The first whole line of a running child's output that `match` accepts, polling until it appears. */
async function waitForLine(
  child: ChildProcess,
  output: Pick<Running, "stdout" | "stderr">,
  match: (line: string) => boolean,
  { stream = "stdout", timeoutMs = 20_000 }: { stream?: "stdout" | "stderr"; timeoutMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = stream === "stdout" ? output.stdout() : output.stderr();
    const found = text.split("\n").find((l, i, all) => i < all.length - 1 && match(l));
    if (found !== undefined) return found;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `no such line (exit ${child.exitCode}):\n${output.stdout()}\n--- stderr ---\n${output.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return start(args, { ...options, timeoutMs: options.timeoutMs ?? 30_000 }).exited;
}

/** Waits until `condition` holds (polling), failing after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
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

// Runs the built CLI as a child process, the way a user does, and collects what it printed.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/**
 * Loaded into every CLI process the tests start: its fetch refuses any host but 127.0.0.1, so a test of
 * `--environment production` (or a bug) can never send a request to real Square.
 */
const LOOPBACK_ONLY = `data:text/javascript,${encodeURIComponent(`
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

/** A CLI process still running: its output so far, and its result once it ends. */
export interface Running {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly result: Promise<RunResult>;
}

export function start(args: readonly string[], options: RunOptions = {}): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.SQUARE_ACCESS_TOKEN;
  delete env.FORCE_COLOR;
  if (options.token !== undefined) env.SQUARE_ACCESS_TOKEN = options.token;
  const child = spawn(process.execPath, ["--import", LOOPBACK_ONLY, CLI, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: options.timeoutMs ?? 30_000,
  });
  return { child, ...collect(child) };
}

/** What a child process prints, as it goes, and its exit code with all of it once it ends. */
export function collect(child: ChildProcess): Omit<Running, "child"> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, stderr: () => stderr, result };
}

export function run(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return start(args, options).result;
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

// Running the proof's commands (pnpm, changeset, npm, tsc, node) with a hard time limit, a clean
// environment and their output kept for the error message.
import { type ChildProcess, spawn } from "node:child_process";

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The command (and everything it started) is killed after this long. */
  readonly timeoutMs: number;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs `command args` and resolves with its output; rejects with the output when it fails or times out. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const child = spawnGroup(command, args, options);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, "SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0 && !timedOut) return resolve({ stdout, stderr, ms });
      const why = timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : `exited with ${code ?? signal} after ${Math.round(ms)} ms`;
      reject(
        new Error(
          `\`${[command, ...args].join(" ")}\` in ${options.cwd} ${why}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`,
        ),
      );
    });
  });
}

/**
 * Spawns `command` as the leader of its own process group (POSIX), so that `killGroup` also ends what it
 * started (npm's and pnpm's own children) instead of leaving them running.
 */
export function spawnGroup(command: string, args: readonly string[], options: RunOptions): ChildProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
    shell: process.platform === "win32",
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** Commands still running; being in their own process group, they would outlive us unless ended here. */
const running = new Set<ChildProcess>();

/** Kills every command still running (a failed or timed-out test step leaves none behind). */
export function killRunning(): void {
  for (const child of running) killGroup(child, "SIGKILL");
}
process.once("exit", killRunning);

/** Sends `signal` to the child's whole process group; harmless when it has already exited. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (process.platform === "win32") child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * This process's environment without the settings a package manager passes to the scripts it runs
 * (`npm_config_*`, `npm_execpath`, `PNPM_PACKAGE_NAME`, …) and changesets' (`CHANGESETS_OUTPUT`, set by the
 * release workflow): the proof's commands read their registry, cache and user config only from what it
 * sets here, never from whatever `npm test` inherited. Also without proxy settings (a proxy would carry
 * even requests for 127.0.0.1 off the machine) and the CI's OIDC token variables (with them npm and pnpm
 * exchange a token with GitHub and the registry before publishing): the proof talks only to loopback.
 */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm|changesets)_/i.test(key)) continue;
    if (/^(https?_proxy|all_proxy|no_proxy|proxy|actions_id_token_request_\w+|sigstore_id_token)$/i.test(key))
      continue;
    if (["NODE_ENV", "NODE_OPTIONS", "INIT_CWD", "PNPM_SCRIPT_SRC_DIR"].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

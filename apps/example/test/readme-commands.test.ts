// Every `npm run customers -- …` command the READMEs show, run exactly as written (through npm and a
// shell, redirections included) from a directory inside the repository, as a user would: stdout holds
// the command's own output and nothing of npm's, `--json` output is JSON, every command exits 0 (the
// import of a file with deliberately invalid rows too), and files are written where the command was
// typed, not at the repository root where npm runs scripts. The emulator the READMEs start on port 4010
// is one the test starts on a free port (the commands' `127.0.0.1:4010` points there), and a README's
// `curl` line then sees the customers its commands made: one merchant throughout. `sync`, which runs
// until Ctrl-C, is left to sync.test.ts.
import { spawn } from "node:child_process";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator } from "@square-customers/emulator";
import { describe, expect, it } from "vitest";
import { collect, type RunResult } from "./support.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const READMES = ["README.md", "apps/example/README.md"];

/** The `npm run customers` and `curl` lines of a README's shell blocks, without their trailing comments. */
async function readmeCommands(readme: string): Promise<string[]> {
  const text = await readFile(join(root, readme), "utf8");
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks
    .flatMap((block) => block.split("\n"))
    .filter((line) => line.startsWith("npm run customers -- ") || line.startsWith("curl "))
    .filter((line) => !line.startsWith("npm run customers -- sync "))
    .map((line) => line.replace(/\s+#.*$/, "").trim());
}

/** A README's `curl -H 'Authorization: Bearer T' URL` line, sent with fetch. */
async function curl(command: string): Promise<{ status: number; body: { customers?: unknown[] } }> {
  const header = /-H '([^:]+): ([^']*)'/.exec(command);
  const url = /'?(http:\/\/\S+?)'?$/.exec(command)?.[1];
  expect(header && url, command).toBeTruthy();
  const res = await fetch(url!, { headers: { [header![1]!]: header![2]! } });
  return { status: res.status, body: (await res.json()) as { customers?: unknown[] } };
}

/** Runs `command` with sh in `cwd`, with none of the npm settings of the process running the tests. */
function sh(command: string, cwd: string): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: "1" };
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$|SQUARE_ACCESS_TOKEN$)/i.test(key)) env[key] = value;
  }
  const child = spawn("sh", ["-c", command], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 120_000,
  });
  return collect(child).exited;
}

describe("the READMEs' CLI commands, through npm", () => {
  it.each(READMES)(
    "%s: clean stdout, JSON where asked, files where the user is, one merchant",
    { timeout: 240_000 },
    async (readme) => {
      const commands = await readmeCommands(readme);
      expect(commands.length).toBeGreaterThan(2);
      // Inside the repository (npm finds its package.json from here), but not its root.
      const cwd = await mkdtemp(join(root, ".readme-commands-"));
      const emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
      const at = (command: string) => command.replaceAll("http://127.0.0.1:4010", emulator.url);
      let madeThere = 0;
      try {
        for (const command of commands.map(at)) {
          if (command.startsWith("curl ")) {
            // The same merchant as the CLI's commands: it sees what they made.
            const { status, body } = await curl(command);
            expect(status, command).toBe(200);
            expect(body.customers?.length ?? 0, command).toBe(Math.min(madeThere, 1));
            continue;
          }
          const result = await sh(command, cwd);
          const what = `${command}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
          expect(result.code, what).toBe(0);
          if (command.includes(emulator.url) && /\s(import|create)\s/.test(command)) madeThere++;
          expect(result.stdout, what).not.toMatch(/^> /m);
          expect(result.stderr, what).not.toContain("npm error");
          const redirect = /\s>\s*(\S+)$/.exec(command)?.[1];
          if (command.includes(" --json")) {
            const output = redirect ? await readFile(join(cwd, redirect), "utf8") : result.stdout;
            expect(() => JSON.parse(output), what).not.toThrow();
          }
          const generated = /\sgenerate\s+(\S+)/.exec(command)?.[1];
          if (generated) await access(join(cwd, generated));
        }
      } finally {
        await emulator.close();
        await rm(cwd, { recursive: true, force: true });
      }
    },
  );
});

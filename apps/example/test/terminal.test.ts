// What a user sees on a terminal: the CLI on a pseudo-terminal, its output rendered by a terminal
// emulator, and the screen compared row by row. The progress bar, the invalid rows printed while it runs
// and the summary must each keep their own rows; Ctrl-C typed on the terminal ends with the summary.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./support.js";
import { onTerminal } from "./terminal.js";

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "customers-terminal-"));
  emulator = await startEmulator({ port: 0, host: "127.0.0.1" });
});

afterAll(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("on a terminal", () => {
  it("import: each invalid row and every summary line keep their own rows (the README's flow)", async () => {
    const file = join(dir, "customers.csv");
    expect((await run(["generate", file, "--count", "2000", "--invalid", "5"])).code).toBe(0);
    const terminal = onTerminal(["import", file, "--url", emulator.url], {
      token: "terminal-import",
      cwd: dir,
    });
    expect(await terminal.exited).toBe(0);
    const screen = await terminal.screen();
    const shown = screen.join("\n");
    // The five invalid rows, whole, one per row, in file order.
    const invalid = screen.filter((row) => row.startsWith(`${file}:`));
    expect(
      invalid.map((row) => Number(row.slice(file.length + 1).split(":")[0])),
      shown,
    ).toEqual([401, 801, 1201, 1601, 2001]);
    expect(invalid[0], shown).toBe(`${file}:401: email_address is not a valid email address`);
    // The bar's last state, on a row of its own after them, then the summary, each line whole.
    const bar = screen.findIndex((row) => row.startsWith("import ") && row.includes("100%"));
    expect(bar, shown).toBeGreaterThan(screen.indexOf(invalid[4]!));
    expect(screen[bar], shown).toMatch(/100% \| 1,995 imported · 5 invalid$/);
    const summary = screen.slice(screen.indexOf("Import"));
    const row = (label: string, value: string) => `  ${label.padEnd(20)}  ${value}`;
    expect(summary.slice(0, 9), shown).toEqual([
      "Import",
      row("file", file),
      row("into", emulator.url),
      row("rows read", "2,000"),
      row("invalid, not sent", "5  (listed above)"),
      row("imported", "1,995 new"),
      row("rejected by Square", "0"),
      expect.stringMatching(/^ {2}HTTP requests {9}\d+ \(\d+× 200\)$/),
      row("customers in account", "0 → 1,995"),
    ]);
  });

  it("import: Ctrl-C typed while it runs stops it, prints the summary below the bar, and exits 130", async () => {
    const file = join(dir, "big.csv");
    expect((await run(["generate", file, "--count", "20000"])).code).toBe(0);
    const terminal = onTerminal(["import", file, "--url", emulator.url, "--concurrency", "1"], {
      token: "terminal-interrupt",
      cwd: dir,
    });
    await terminal.waitFor((row) => /^import .*\d+ imported/.test(row));
    terminal.interrupt();
    expect(await terminal.exited).toBe(130);
    const screen = await terminal.screen();
    const shown = screen.join("\n");
    expect(screen, shown).toContain("Stopping… (press Ctrl-C again to quit at once)");
    expect(screen, shown).toContain("Import");
    expect(shown).toMatch(
      /\n {2}rows read +[\d,]+ {2}\(stopped at line [\d,]+: the rest of the file was not read\)\n/,
    );
    expect(screen.at(-1), shown).toBe(
      "Interrupted: run the same command again; rows already imported are skipped.",
    );
  });
});

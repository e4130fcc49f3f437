// Finds the code blocks of the repository's READMEs, and turns them into files a compiler can check
// with errors that point back at the README's own lines.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** One fenced code block of a README. */
export interface CodeBlock {
  /** The README, relative to the repository root (`packages/client/README.md`). */
  readonly readme: string;
  /** The nearest heading above the block, without its `#`s. */
  readonly heading: string;
  /** The fence's language (`ts`, `sh`, …). */
  readonly lang: string;
  /** 1-based line of the README holding the block's first line of code. */
  readonly line: number;
  readonly code: string;
}

/** Every README.md under version control (untracked ones too), relative to the repository root. */
export function readmeFiles(): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "README.md", "**/README.md"],
    { cwd: repoRoot, encoding: "utf8" },
  );
  return [...new Set(listed.split("\n").filter(Boolean))].sort();
}

/** The fenced code blocks of one README, in order. */
export function codeBlocks(readme: string): CodeBlock[] {
  const lines = readFileSync(resolve(repoRoot, readme), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fence = /^```(\w*)/.exec(text);
    if (!fence) {
      const title = /^#+\s+(.*)$/.exec(text);
      if (title) heading = title[1]!.trim();
      continue;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith("```")) end++;
    blocks.push({
      readme,
      heading,
      lang: fence[1] ?? "",
      line: start + 1,
      code: `${lines.slice(start, end).join("\n")}\n`,
    });
    i = end;
  }
  return blocks;
}

/** A file name for a block: its README's directory, its heading and its line, as one slug. */
export function blockFileName(block: CodeBlock): string {
  const where = dirname(block.readme) === "." ? "root" : dirname(block.readme);
  const slug = `${where}-${block.heading}-${block.line}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `${slug.replace(/^-|-$/g, "")}.ts`;
}

/**
 * Compiler messages (`file.ts(LINE,COL): error TS…: text`) with each position moved back to the README
 * line it came from: `packages/client/README.md:42:7: error TS…: text`.
 */
export function readmePositions(output: string, blocksByFile: ReadonlyMap<string, CodeBlock>): string[] {
  const messages: string[] = [];
  for (const line of output.split("\n")) {
    const match = /^(?:.*[\\/])?([^\\/()]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    if (match) {
      const block = blocksByFile.get(match[1]!);
      const at = block ? `${block.readme}:${block.line + Number(match[2]) - 1}:${match[3]}` : match[1];
      messages.push(`${at}: ${match[4]}`);
    } else if (line.trim() !== "" && messages.length > 0) {
      messages[messages.length - 1] += `\n${line}`;
    } else if (line.trim() !== "") {
      messages.push(line);
    }
  }
  return messages;
}

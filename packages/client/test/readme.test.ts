// The README's example is test/readme-example.ts word for word (bar the import path), and it runs
// against the emulator.
import { readFileSync } from "node:fs";
import { expect, it, vi } from "vitest";
import { TOKEN, useEmulator } from "./support.js";

const h = useEmulator();

it("the repository README shows the same example", () => {
  const own = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const root = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  const block = (text: string, heading: string) =>
    new RegExp(`## ${heading}\\n[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1];
  expect(block(root, "The promise client")).toBe(block(own, "Example"));
});

it("the README example is this file, and it runs", async () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("./readme-example.ts", import.meta.url), "utf8");
  const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBe(example.replace('"../src/index.js"', '"@square-customers/client"'));

  process.env.SQUARE_ACCESS_TOKEN = TOKEN;
  process.env.SQUARE_ENVIRONMENT = h.emulator.url;
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import("./readme-example.js");
    expect(log.mock.calls).toEqual([
      [expect.any(String), "Amelia", "Amy"],
      ["not found:", "NOT_FOUND", expect.any(String)],
    ]);
  } finally {
    log.mockRestore();
  }
});

// The pieces under `import` and the tables, in process: cases a child-process test would need large or
// odd files for (table widths, repeated rows). The file readers themselves are core's
// (packages/core/test/customer-file.test.ts).
import { describe, expect, it } from "vitest";
import { FirstLines } from "../src/first-lines.js";
import { formatTable } from "../src/output.js";

describe("FirstLines", () => {
  it("remembers the first line of every key as it grows", () => {
    const table = new FirstLines(4);
    for (let i = 0; i < 50_000; i++) expect(table.firstLineOrAdd(`key-${i}`, i + 2)).toBeUndefined();
    for (let i = 0; i < 50_000; i += 997) expect(table.firstLineOrAdd(`key-${i}`, 99)).toBe(i + 2);
  });
});

describe("formatTable", () => {
  const columns = [
    { header: "ID" },
    { header: "NAME", minWidth: 6 },
    { header: "NOTE", minWidth: 4, dropRank: 2 },
    { header: "EXTRA", dropRank: 1 },
  ];
  const rows = [["ID-0001", "A very long name indeed", "a note that is long", "extra"]];

  it("cuts long cells, then drops columns by rank, to fit the width", () => {
    expect(formatTable(columns, rows, 80).split("\n")[2]).toBe(
      "ID-0001  A very long name indeed  a note that is long  extra",
    );
    const narrow = formatTable(columns, rows, 24).split("\n");
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(24);
    expect(narrow[0]).toMatch(/^ID\s+NAME\s+NOTE$/);
    expect(narrow[2]).toContain("…");
  });
});

// The pieces under `import` and the tables, in process: cases a child-process test would need large or
// odd files for (chunk boundaries, the record size limit, table widths).
import { describe, expect, it } from "vitest";
import { type CsvRecord, CsvRecordSplitter, MAX_RECORD_CHARS } from "../src/csv-records.js";
import { FirstLines } from "../src/first-lines.js";
import { JsonArraySplitter, type JsonRecord } from "../src/json-records.js";
import { formatTable } from "../src/output.js";

function splitCsv(lines: readonly string[], expectedFields?: number): CsvRecord[] {
  const splitter = new CsvRecordSplitter(",");
  splitter.expectedFields = expectedFields;
  return [...lines.flatMap((text, i) => splitter.push(i + 1, text)), ...splitter.end()];
}

describe("CsvRecordSplitter", () => {
  it("reads quoted fields, escaped quotes and line breaks inside quotes", () => {
    expect(splitCsv(['a,"b,c","say ""hi""",', '"multi', 'line",x,y,z'], 4)).toEqual([
      { line: 1, fields: ["a", "b,c", 'say "hi"', ""] },
      { line: 2, fields: ["multi\nline", "x", "y", "z"] },
    ]);
  });

  it("a quote closed lines later, swallowing what reads as a row, costs the line it opened on", () => {
    expect(splitCsv(["a,b,c", 'd,"e,f', "g,h,i", 'j",k'], 3)).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, problem: expect.stringContaining("swallowing line 3, which reads as a row of its own") },
      { line: 3, fields: ["g", "h", "i"] },
      { line: 4, fields: ['j"', "k"] },
    ]);
  });

  it("an unclosed quote at the end of the file costs its line; the lines after it are read again", () => {
    expect(splitCsv(["a,b", 'c,"d', "e,f", "g,h"], 2)).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, problem: expect.stringContaining("unclosed quote") },
      { line: 3, fields: ["e", "f"] },
      { line: 4, fields: ["g", "h"] },
    ]);
  });

  it(`a quoted field may not grow past ${MAX_RECORD_CHARS} characters`, () => {
    const long = "x".repeat(1000);
    const lines = ['a,"b', ...Array.from({ length: 100 }, () => long), "c,d"];
    const records = splitCsv(lines, 2);
    expect(records[0]).toEqual({ line: 1, problem: expect.stringContaining("unclosed quote") });
    // Every swallowed line is read again as the (one-field) record it is, and the last one is whole.
    expect(records).toHaveLength(102);
    expect(records.at(-1)).toEqual({ line: 102, fields: ["c", "d"] });
  });
});

function splitJson(chunks: readonly string[]): JsonRecord[] {
  const splitter = new JsonArraySplitter("f.json");
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe("JsonArraySplitter", () => {
  it("finds elements across chunk boundaries, with brackets and quotes inside strings", () => {
    const text = '[\n {"a": "x]}\\"{["},\n {"b": [1, {"c": 2}]},\n 3, "s", null\n]\n';
    for (const size of [1, 2, 5, text.length]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
        text.slice(i * size, (i + 1) * size),
      );
      const values = splitJson(chunks).map((r) => ("value" in r ? r.value : r.problem));
      expect(values, `chunks of ${size}`).toEqual([{ a: 'x]}"{[' }, { b: [1, { c: 2 }] }, 3, "s", null]);
      expect(splitJson(chunks).map((r) => r.line)).toEqual([2, 3, 4, 4, 4]);
    }
  });

  it.each([
    ['{"a": 1}', "f.json:1: expected a JSON array"],
    ['[{"a": 1}', "f.json:1: the array is not closed"],
    ['[{"a": 1} {"b": 2}]', "f.json:1: expected a comma between elements"],
    ["[1] 2", "f.json:1: unexpected text after the end of the array"],
    ["", "f.json:1: the file is empty"],
  ])("refuses %j", (text, message) => {
    expect(() => splitJson([text])).toThrow(message);
  });
});

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

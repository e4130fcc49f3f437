// Reading files of customers (core/tooling), shared by the CLI's import and the emulator's --seed-file:
// CSV records that survive a malformed row, JSON arrays split as they stream in, the header's rules and
// core's verdict on each customer.
import { describe, expect, it } from "vitest";
import {
  type CsvRecord,
  CsvRecordSplitter,
  CustomerFileError,
  customerProblems,
  headerProblem,
  JsonArraySplitter,
  type JsonRecord,
  jsonToCustomer,
  MAX_RECORD_CHARS,
  rowToCustomer,
} from "../src/tooling.js";

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

describe("a header", () => {
  it("names unknown and repeated columns, and a header with no customer field", () => {
    expect(headerProblem(["given_name", "email_address", "address.postal_code"])).toBeUndefined();
    expect(headerProblem(["given_name", "emial"])).toMatch(
      /^unknown column "emial" \(did you mean "email_address"\?\)\n {2}columns an import reads: /,
    );
    expect(headerProblem(["first_name", "email"])).toMatch(
      /^unknown columns "first_name" \(did you mean "given_name"\?\), "email" \(did you mean "email_address"\?\)\n/,
    );
    expect(headerProblem(["given_name", "x", "y"], "  hint!\n")).toMatch(
      /^unknown columns "x", "y"\n {2}hint!\n/,
    );
    expect(headerProblem(["given_name", "given_name"])).toBe('column "given_name" appears more than once');
    expect(headerProblem(["id", "version"])).toMatch(/names no customer field/);
  });
});

describe("a customer from a file", () => {
  it("is read from a CSV row or a JSON element, and judged by core's rules", () => {
    expect(
      rowToCustomer({ given_name: " Ada ", "address.locality": "London", id: "X", email_address: "" }),
    ).toEqual({
      given_name: "Ada",
      address: { locality: "London" },
    });
    expect(
      jsonToCustomer({ id: "X", given_name: "Ada", address: { country: "GB" }, group_ids: ["G"] }),
    ).toEqual({
      customer: { given_name: "Ada", address: { country: "GB" } },
    });
    expect(jsonToCustomer({ given_name: 7, shoe_size: "9" })).toEqual({
      problems: ["given_name must be text, got 7", 'unknown field "shoe_size"'],
    });
    expect(customerProblems({ given_name: "Ada" })).toEqual([]);
    expect(customerProblems({ email_address: "not-an-email" })).toEqual([
      expect.stringMatching(/email_address/),
    ]);
    expect(customerProblems({ note: "no name" }).join()).toMatch(/given_name|at least one/);
  });

  it("a broken file structure is a CustomerFileError naming file and line", () => {
    const splitter = new JsonArraySplitter("f.json");
    try {
      splitter.push('[\n{"a": 1}\n{"b": 2}]');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CustomerFileError);
      expect(error).toMatchObject({
        file: "f.json",
        line: 3,
        message: "f.json:3: expected a comma between elements",
      });
    }
  });
});

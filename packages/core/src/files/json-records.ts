// Splitting a JSON array into its elements as the text streams in, so that `customers export file.json`
// output of any size reads in constant memory, and each element is known by the line it starts on.
// An element that is not valid JSON on its own (a trailing comma, a stray quote) is reported by line and
// skipped; a file whose structure is broken (not an array, an element that never ends) is refused with
// a CustomerFileError. (Used by the `customers` CLI's import and the emulator's `--seed-file`.)
import { CustomerFileError } from "./customer-file.js";

/** An element, by the line it starts on, and where it ends in the text last pushed (for progress). */
export type JsonRecord = { readonly line: number; readonly end: number } & (
  | { readonly value: unknown }
  | { readonly problem: string }
);

/** Longer elements mean a broken structure, not a customer (an exported one is well under 2 KiB). */
const MAX_ELEMENT_CHARS = 1024 * 1024;

const isSpace = (char: string) => char === " " || char === "\n" || char === "\r" || char === "\t";

/** Feed it the file's text in order with `push`, then call `end`; both return the elements completed. */
export class JsonArraySplitter {
  readonly #file: string;
  #line = 1;
  #stage: "before" | "between" | "element" | "after" = "before";
  /** Between elements: a comma is due before the next one. */
  #afterElement = false;
  // The element being read: where it starts, its text so far, and where the scan is inside it.
  #start = 0;
  #parts: string[] = [];
  #chars = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  constructor(file: string) {
    this.#file = file;
  }

  push(text: string): JsonRecord[] {
    const out: JsonRecord[] = [];
    /** Where the current element's text starts in `text` (0 when it began in an earlier chunk). */
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const char = text[i]!;
      if (this.#stage === "element") {
        const end = this.#elementEnd(char);
        if (end === "continue") {
          if (char === "\n") this.#line++;
          continue;
        }
        // A container or string ends with this character; a bare value ends just before it.
        const stop = end === "after" ? i + 1 : i;
        out.push(this.#finish(text.slice(from, stop), stop));
        if (end === "after") {
          if (char === "\n") this.#line++;
          continue;
        }
      }
      if (char === "\n") this.#line++;
      if (isSpace(char)) continue;
      if (this.#stage === "before") {
        if (char !== "[") this.#fail("expected a JSON array of customers (as `customers export` writes)");
        this.#stage = "between";
      } else if (this.#stage === "after") {
        this.#fail("unexpected text after the end of the array");
      } else if (char === "]") {
        this.#stage = "after";
      } else if (char === ",") {
        if (!this.#afterElement) this.#fail("unexpected comma");
        this.#afterElement = false;
      } else {
        if (this.#afterElement) this.#fail("expected a comma between elements");
        this.#begin(char);
        from = i;
      }
    }
    if (this.#stage === "element") {
      this.#parts.push(text.slice(from));
      this.#chars += text.length - from;
      if (this.#chars > MAX_ELEMENT_CHARS) {
        this.#fail("this element runs on for more than 1 MiB: is the JSON well-formed?", this.#start);
      }
    }
    return out;
  }

  end(): JsonRecord[] {
    // A bare value (a number) at the very end of the text is complete; anything else open is broken.
    if (this.#stage === "element" && this.#depth === 0 && !this.#inString) {
      this.#fail("the array is not closed with ]");
    }
    if (this.#stage === "before") this.#fail("the file is empty: expected a JSON array of customers");
    if (this.#stage === "element") this.#fail("this element does not end", this.#start);
    if (this.#stage === "between") this.#fail("the array is not closed with ]");
    return [];
  }

  #begin(char: string): void {
    this.#stage = "element";
    this.#start = this.#line;
    this.#parts = [];
    this.#chars = 0;
    this.#depth = char === "{" || char === "[" ? 1 : 0;
    this.#inString = char === '"';
    this.#escaped = false;
  }

  /** Where the element ends relative to `char` (which follows the element's first character). */
  #elementEnd(char: string): "continue" | "after" | "before" {
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (char === "\\") this.#escaped = true;
      else if (char === '"') {
        this.#inString = false;
        if (this.#depth === 0) return "after";
      }
      return "continue";
    }
    if (this.#depth === 0) {
      // A bare value (number, true, false, null) ends where a separator starts.
      return char === "," || char === "]" || isSpace(char) ? "before" : "continue";
    }
    if (char === '"') this.#inString = true;
    else if (char === "{" || char === "[") this.#depth++;
    else if (char === "}" || char === "]") {
      this.#depth--;
      if (this.#depth === 0) return "after";
    }
    return "continue";
  }

  #finish(last: string, end: number): JsonRecord {
    const text = this.#parts.join("") + last;
    this.#parts = [];
    this.#stage = "between";
    this.#afterElement = true;
    try {
      return { line: this.#start, end, value: JSON.parse(text) };
    } catch (error) {
      return { line: this.#start, end, problem: `not valid JSON: ${(error as Error).message}` };
    }
  }

  #fail(reason: string, line = this.#line): never {
    throw new CustomerFileError(this.#file, line, reason);
  }
}

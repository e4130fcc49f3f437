// Splitting CSV text into records, line by line, so that one malformed row costs that row and nothing
// else (used by the `customers` CLI's import and the emulator's `--seed-file`). Fields follow RFC 4180:
// a field may be quoted, a quoted field may hold the delimiter, line breaks and `""` for a quote. A quote inside an unquoted field is taken literally (`O"Neil`).
//
// The hard case is a quote that is never closed: read strictly, it swallows the rest of the file into
// one field, and the error names the last line. Here a quoted field may run over several lines only up
// to `MAX_RECORD_CHARS`, a record that spans lines must end with the header's number of fields, and none
// of the lines wholly inside its quoted field may read as a row of its own. When any of that fails, the row is reported at
// the line it starts on, and reading starts again on the line after it, so the rows that the stray quote
// swallowed are read as the rows they are.

export type CsvRecord =
  /** `line` is where the record starts (1-based); a quoted field may have taken it over later lines. */
  { readonly line: number; readonly fields: string[] } | { readonly line: number; readonly problem: string };

/** How long a record may grow while a quoted field is open: far more than any customer needs. */
export const MAX_RECORD_CHARS = 64 * 1024;

const UNCLOSED =
  "unclosed quote: a quoted field starts on this line and does not end " +
  '(inside a quoted field, write a quote as "")';

/** The fields of one record, as far as the text given so far goes. */
interface Scan {
  readonly fields: string[];
  /** The field being read. */
  field: string;
  /** Inside a quoted field (its closing quote not yet seen). */
  inQuotes: boolean;
  /** The current field was quoted and its closing quote has been seen. */
  closed: boolean;
  /** Why the record is malformed, once it is known to be. */
  problem?: string;
}

interface Line {
  readonly line: number;
  readonly text: string;
}

const newScan = (): Scan => ({ fields: [], field: "", inQuotes: false, closed: false });

/**
 * Continues `scan` over one line of text (without its line break). Returns whether the record is
 * complete at the end of the line, i.e. not inside a quoted field.
 */
function scanLine(scan: Scan, text: string, delimiter: string): boolean {
  let i = 0;
  if (scan.inQuotes) {
    i = readQuoted(scan, text, 0);
    if (i === -1) return false;
  }
  for (;;) {
    // Here `i` is where a field starts, or just after the closing quote of a quoted one.
    if (!scan.closed && text[i] === '"') {
      i = readQuoted(scan, text, i + 1);
      if (i === -1) return false;
      continue;
    }
    const next = text.indexOf(delimiter, i);
    const stop = next === -1 ? text.length : next;
    if (!scan.closed) scan.field = text.slice(i, stop);
    else if (text.slice(i, stop).trim() !== "") {
      scan.problem ??= `unexpected text after the closing quote of field ${scan.fields.length + 1}`;
    }
    scan.fields.push(scan.field);
    scan.field = "";
    scan.closed = false;
    if (next === -1) return true;
    i = next + 1;
  }
}

/**
 * Reads a quoted field's text from `i` (just after its opening quote, or at the start of a line it
 * continues on). Returns where its closing quote ends, or -1 when the line ends inside the field.
 */
function readQuoted(scan: Scan, text: string, from: number): number {
  scan.inQuotes = true;
  let i = from;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) {
      scan.field += `${text.slice(i)}\n`;
      return -1;
    }
    scan.field += text.slice(i, quote);
    if (text[quote + 1] !== '"') {
      scan.inQuotes = false;
      scan.closed = true;
      return quote + 1;
    }
    scan.field += '"';
    i = quote + 2;
  }
}

/**
 * Turns lines into records. Feed it every line of the file in order with `push`, then call `end`; both
 * return the records completed by then. Set `expectedFields` once the header is known.
 */
export class CsvRecordSplitter {
  expectedFields: number | undefined;
  readonly #delimiter: string;
  /** Lines of the record being read (more than one only while a quoted field is open). */
  #pending: Line[] = [];
  #pendingChars = 0;
  #scan: Scan = newScan();
  /** Lines to read, the next one last: the one pushed, and any that a resync hands back. */
  #toRead: Line[] = [];

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
  }

  push(line: number, text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.#toRead.push({ line, text });
    this.#drain(out);
    return out;
  }

  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    while (this.#pending.length > 0) {
      this.#resync(UNCLOSED, out);
      this.#drain(out);
    }
    return out;
  }

  #drain(out: CsvRecord[]): void {
    for (let next = this.#toRead.pop(); next !== undefined; next = this.#toRead.pop()) {
      this.#take(next, out);
    }
  }

  #take(next: Line, out: CsvRecord[]): void {
    // Blank lines between records are skipped; inside a quoted field they are part of its value.
    if (this.#pending.length === 0 && next.text.trim() === "") return;
    this.#pending.push(next);
    this.#pendingChars += next.text.length;
    if (!scanLine(this.#scan, next.text, this.#delimiter)) {
      if (this.#pendingChars > MAX_RECORD_CHARS) this.#resync(UNCLOSED, out);
      return;
    }
    const scan = this.#scan;
    const start = this.#pending[0]!.line;
    if (this.#pending.length === 1) {
      out.push(
        scan.problem === undefined
          ? { line: start, fields: scan.fields }
          : { line: start, problem: scan.problem },
      );
    } else {
      const why = this.#strayQuote(scan);
      if (why !== undefined) {
        this.#resync(
          `a quote opened on this line closes only on line ${next.line}, ${why}: a stray quote? ` +
            '(inside a quoted field, write a quote as "")',
          out,
        );
        return;
      }
      out.push({ line: start, fields: scan.fields });
    }
    this.#reset();
  }

  /**
   * Why a record that spans lines looks like a stray quote rather than a field with line breaks in it:
   * it is malformed, or it has the wrong number of fields, or a line wholly inside the quoted field
   * reads on its own as a row of the file. Undefined when it looks like a genuine multi-line field.
   * (The last line is not judged alone: after a quoted first field it always has a row's field count.)
   */
  #strayQuote(scan: Scan): string | undefined {
    if (scan.problem !== undefined) return `and the record it makes is malformed (${scan.problem})`;
    const expected = this.expectedFields;
    if (expected === undefined) return undefined;
    if (scan.fields.length !== expected) {
      return `and the record it makes has ${scan.fields.length} fields where the header has ${expected}`;
    }
    const swallowed = this.#pending.slice(1, -1).find(({ text }) => {
      const alone = newScan();
      return scanLine(alone, text, this.#delimiter) && !alone.problem && alone.fields.length === expected;
    });
    return swallowed && `swallowing line ${swallowed.line}, which reads as a row of its own`;
  }

  /** Reports the pending record's first line as malformed; the lines after it are read again. */
  #resync(problem: string, out: CsvRecord[]): void {
    const [first, ...rest] = this.#pending;
    this.#reset();
    out.push({ line: first!.line, problem });
    for (let i = rest.length - 1; i >= 0; i--) this.#toRead.push(rest[i]!);
  }

  #reset(): void {
    this.#pending = [];
    this.#pendingChars = 0;
    this.#scan = newScan();
  }
}

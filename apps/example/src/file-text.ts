// Reading an input file as text, streamed, with how far into the file each piece ends (for progress
// by bytes, which needs no row count up front). A file of any size is read in constant memory.
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { CliError, EXIT_USAGE } from "./errors.js";

export interface TextChunk {
  readonly text: string;
  /** Bytes of the file read so far, this chunk included. */
  readonly bytesRead: number;
}

/** The file's text in chunks (UTF-8; a byte order mark at the start is dropped). */
export async function* readText(file: string): AsyncGenerator<TextChunk> {
  const decoder = new StringDecoder("utf8");
  let bytesRead = 0;
  let first = true;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    yield { text, bytesRead };
  }
  const rest = decoder.end();
  if (rest) yield { text: rest, bytesRead };
}

export interface TextLine {
  /** 1-based line number. */
  readonly line: number;
  /** The line without its line break (`\n` or `\r\n`). */
  readonly text: string;
  /** Where the line ends in the file, in bytes (its line break included). */
  readonly bytesRead: number;
}

/** Longer lines are not text records of any kind (a CSV file of customers has lines of ~200 characters). */
const MAX_LINE_CHARS = 4 * 1024 * 1024;

/** The file's lines, numbered. */
export async function* readLines(file: string): AsyncGenerator<TextLine> {
  let line = 0;
  let carry = "";
  let bytesRead = 0;
  for await (const chunk of readText(file)) {
    const text = carry + chunk.text;
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const raw = text.slice(start, end);
      bytesRead += Buffer.byteLength(raw) + 1;
      yield { line: ++line, text: withoutCr(raw), bytesRead };
      start = end + 1;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_CHARS) {
      throw new CliError(`${file}:${line + 1}: this line is longer than 4 MiB: not a CSV file?`, EXIT_USAGE);
    }
  }
  if (carry !== "")
    yield { line: ++line, text: withoutCr(carry), bytesRead: bytesRead + Buffer.byteLength(carry) };
}

function withoutCr(text: string): string {
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

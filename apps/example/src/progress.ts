// Progress for long operations: a live bar on stderr when stderr is a terminal, shown from the start;
// nothing at all otherwise (piped or in CI, stderr holds the notes and problems, and stdout the data).
//
// The bar is one line at the bottom of what the command prints, drawn in place with a carriage return.
// It never saves and restores the cursor: a note printed while it runs (an invalid row, say) clears the
// bar's line, takes it, and the bar is drawn again below it (see `note` in output.ts), so nothing a
// command prints is ever overwritten, however many lines come in between.
import { n, setStatusLine, stderrIsTty } from "./output.js";

export interface Progress {
  /** Sets how much has been done so far, and an optional short status text. */
  update(done: number, status?: string): void;
  /** Ends the bar (its last state stays on screen); later calls do nothing. */
  stop(): void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  /**
   * Show `done/total` (items) beside the percentage. Off when the total is not a count a user knows,
   * such as the bytes of an import file (the status text then says what was done).
   */
  readonly counts?: boolean;
}

const BAR_WIDTH = 30;
/** At most this often is the bar drawn again (a fast import updates it thousands of times a second). */
const REDRAW_MS = 100;
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

const silent: Progress = { update() {}, stop() {} };

export function createProgress(
  label: string,
  total: number | undefined,
  options: ProgressOptions = {},
): Progress {
  if (options.quiet || !stderrIsTty()) return silent;
  const counts = options.counts ?? true;
  let done = 0;
  let status = "";
  let drawnAt = 0;
  let running = true;
  const line = () => barLine(label, done, total, counts, status, process.stderr.columns || 80);
  const draw = () => {
    drawnAt = performance.now();
    process.stderr.write(`\r\x1b[2K${line()}`);
  };
  // A command that exits while the bar shows (a second Ctrl-C) must not leave the cursor hidden.
  const showCursor = () => process.stderr.write(SHOW_CURSOR);
  process.once("exit", showCursor);
  process.stderr.write(HIDE_CURSOR);
  setStatusLine(line);
  draw();
  return {
    update(value, text = "") {
      if (!running) return;
      done = value;
      status = text;
      if (performance.now() - drawnAt >= REDRAW_MS) draw();
    },
    stop() {
      if (!running) return;
      running = false;
      setStatusLine(undefined);
      draw();
      process.stderr.write(`\n${SHOW_CURSOR}`);
      process.off("exit", showCursor);
    },
  };
}

/**
 * `import     ██████░░░░ 49% | 1,000 imported · 3 invalid`, cut to fit `columns` (a line that wrapped
 * could not be redrawn in place). Without a total, the bar is full and the count says how far.
 */
export function barLine(
  label: string,
  done: number,
  total: number | undefined,
  counts: boolean,
  status: string,
  columns: number,
): string {
  const ratio = total === undefined || total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
  const of = counts ? ` ${n(done)}${total === undefined ? "" : `/${n(total)}`}` : "";
  const text = `${label.padEnd(10)} ${bar} ${Math.floor(ratio * 100)}% |${of}${status ? ` ${status}` : ""}`;
  return text.length < columns ? text : `${text.slice(0, Math.max(columns - 2, 0))}…`;
}

// Progress for long operations: a live bar (cli-progress) when stderr is a terminal, otherwise a plain
// line every 10% (or every 1,000 items when the total is unknown), so logs stay readable in CI.
import { Presets, SingleBar } from "cli-progress";
import { n, note, stderrIsTty } from "./output.js";

export interface Progress {
  /** Sets how many items have been done so far, and an optional short status text. */
  update(done: number, status?: string): void;
  /** Ends the bar (and prints the final plain line). */
  stop(): void;
}

export function createProgress(
  label: string,
  total: number | undefined,
  options: { quiet?: boolean } = {},
): Progress {
  if (options.quiet) return { update() {}, stop() {} };
  if (stderrIsTty()) {
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format: `${label.padEnd(10)} {bar} {percentage}% | {value}/{total} {status}`,
        hideCursor: true,
        barsize: 30,
        fps: 10,
      },
      Presets.shades_classic,
    );
    // Without a total the bar still counts; its total is grown to match so it never overflows.
    bar.start(total ?? 0, 0, { status: "" });
    return {
      update(done, status = "") {
        if (total === undefined) bar.setTotal(done);
        bar.update(done, { status });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastReported = 0;
  let lastDone = 0;
  const step = total === undefined ? 1000 : Math.max(1, Math.ceil(total / 10));
  const report = (done: number, status: string) => {
    const of = total === undefined ? "" : `/${n(total)} (${Math.floor((done / Math.max(total, 1)) * 100)}%)`;
    note(`${label}: ${n(done)}${of}${status ? ` ${status}` : ""}`);
    lastReported = done;
  };
  return {
    update(done, status = "") {
      lastDone = done;
      if (Math.floor(done / step) > Math.floor(lastReported / step)) report(done, status);
    },
    stop() {
      if (lastDone !== lastReported) report(lastDone, "");
    },
  };
}

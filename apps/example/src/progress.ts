// Progress for long operations: a live bar (cli-progress) when stderr is a terminal, shown from the
// start; otherwise a plain line every 10% and at least every 10 seconds, so logs stay readable in CI.
import { Presets, SingleBar } from "cli-progress";
import { n, note, stderrIsTty } from "./output.js";

export interface Progress {
  /** Sets how much has been done so far, and an optional short status text. */
  update(done: number, status?: string): void;
  /** Ends the bar (and prints the final plain line); later calls do nothing. */
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

const PLAIN_INTERVAL_MS = 10_000;

export function createProgress(
  label: string,
  total: number | undefined,
  options: ProgressOptions = {},
): Progress {
  if (options.quiet) return { update() {}, stop() {} };
  const counts = options.counts ?? true;
  if (stderrIsTty()) {
    const bar = new SingleBar(
      {
        stream: process.stderr,
        format: `${label.padEnd(10)} {bar} {percentage}% |${counts ? " {value}/{total}" : ""} {status}`,
        hideCursor: true,
        barsize: 30,
        fps: 10,
      },
      Presets.shades_classic,
    );
    // Without a total the bar still counts; its total is grown to match so it never overflows.
    bar.start(total ?? 0, 0, { status: "" });
    let running = true;
    return {
      update(done, status = "") {
        if (!running) return;
        if (total === undefined) bar.setTotal(done);
        bar.update(done, { status });
      },
      stop() {
        if (running) bar.stop();
        running = false;
      },
    };
  }
  let lastReported = 0;
  let reportedStatus = "";
  let lastDone = 0;
  let lastStatus = "";
  let lastTime = performance.now();
  const step = total === undefined ? 1000 : Math.max(1, Math.ceil(total / 10));
  const report = (done: number, status: string) => {
    const percent = `${Math.floor((done / Math.max(total ?? done, 1)) * 100)}%`;
    const of = counts ? `${n(done)}${total === undefined ? "" : `/${n(total)} (${percent})`}` : percent;
    note(`${label}: ${of}${status ? ` ${status}` : ""}`);
    lastReported = done;
    reportedStatus = status;
    lastTime = performance.now();
  };
  return {
    update(done, status = "") {
      lastDone = done;
      lastStatus = status;
      const nextStep = Math.floor(done / step) > Math.floor(lastReported / step);
      if (nextStep || performance.now() - lastTime >= PLAIN_INTERVAL_MS) report(done, status);
    },
    stop() {
      if (lastDone !== lastReported || lastStatus !== reportedStatus) report(lastDone, lastStatus);
    },
  };
}

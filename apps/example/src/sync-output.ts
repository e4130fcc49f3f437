// What `customers sync` prints. Three ways, like the other commands:
// - on a terminal: a progress bar for the full load, then one line per event on stdout and a status line
//   of counts at the bottom of the terminal (stderr, redrawn in place);
// - piped: the same event lines, plain, and the counts once at the end;
// - `--json`: JSON lines on stdout, one object per line: `{"kind":"load"|"reconcile",…}` when a load or
//   reconcile pass is done, `{"kind":"ready",…}` once deliveries are applied live, `{"kind":"event",…}` per
//   event, `{"kind":"stopped",…}` at the end. Notes and warnings go to stderr in every mode.
// Events that arrive during the first load are applied at once but printed after it, so they never break
// up the progress bar.
import {
  countEvent,
  emptyEventCounts,
  type MirrorEventCounts,
  type MirrorEventResult,
  type MirrorProgress,
} from "@square-customers/core";
import { n, note, stderrIsTty } from "./output.js";
import { createProgress, type Progress } from "./progress.js";

/** What the command knows once deliveries are applied live. */
export interface ReadyInfo {
  readonly listening: string;
  readonly notificationUrl: string;
  readonly subscriptionId: string;
  /** The merchant mirrored (the token's). */
  readonly merchantId: string;
  /** What the start did: a full load, or a reconcile pass from the checkpoint (a resumed mirror). */
  readonly start: "full-load" | "reconcile";
}

export interface SyncOutput {
  /** Every step of the mirror (the mirror's `onProgress`). */
  progress(progress: MirrorProgress): void;
  ready(info: ReadyInfo): void;
  /** A human note (stderr). */
  note(text: string): void;
  /** The final counts. */
  stopped(reason: string): void;
  /** Events by outcome so far. */
  counts(): MirrorEventCounts;
}

/** The clock time of a line (local, HH:MM:SS). */
const clock = (at: Date) => at.toTimeString().slice(0, 8);

/** How often the status line may be redrawn. */
const STATUS_EVERY_MS = 100;

export function createSyncOutput(options: {
  readonly json: boolean;
  readonly customers: () => number;
}): SyncOutput {
  return options.json ? new JsonOutput(options.customers) : new HumanOutput(options.customers);
}

/** Counting and holding back events until `ready`, shared by both modes. */
abstract class BaseOutput implements SyncOutput {
  protected events = emptyEventCounts();
  protected live = false;
  private held: Array<{ result: MirrorEventResult; at: Date }> = [];

  constructor(protected readonly customers: () => number) {}

  counts(): MirrorEventCounts {
    return this.events;
  }

  progress(progress: MirrorProgress): void {
    if (progress.kind !== "event") {
      this.step(progress);
      return;
    }
    this.events = countEvent(this.events, progress.outcome);
    if (this.live) this.event(progress, new Date());
    else this.held.push({ result: progress, at: new Date() });
  }

  ready(info: ReadyInfo): void {
    this.live = true;
    this.announce(info);
    for (const { result, at } of this.held.splice(0)) this.event(result, at);
  }

  note(text: string): void {
    note(text);
  }

  abstract stopped(reason: string): void;
  protected abstract step(progress: Exclude<MirrorProgress, { kind: "event" }>): void;
  protected abstract event(result: MirrorEventResult, at: Date): void;
  protected abstract announce(info: ReadyInfo): void;
}

class JsonOutput extends BaseOutput {
  private line(value: object): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  protected step(progress: Exclude<MirrorProgress, { kind: "event" }>): void {
    if (progress.stage === "done") this.line(progress);
  }

  protected event(result: MirrorEventResult, at: Date): void {
    this.line({ ...result, at: at.toISOString() });
  }

  protected announce(info: ReadyInfo): void {
    this.line({ kind: "ready", ...info });
  }

  stopped(reason: string): void {
    this.line({ kind: "stopped", reason, events: this.events, customers: this.customers() });
  }
}

class HumanOutput extends BaseOutput {
  private bar: Progress | undefined;
  /** The status line is drawn (a terminal on stderr, after `ready`). */
  private statusShown = false;
  private statusTimer: NodeJS.Timeout | undefined;
  private lastReconcile: Date | undefined;

  protected step(progress: Exclude<MirrorProgress, { kind: "event" }>): void {
    if (progress.kind === "load") {
      this.bar ??= createProgress("load", progress.total);
      this.bar.update(progress.listed, progress.stage === "deleting" ? "checking for deletions" : "");
      if (progress.stage === "done") {
        this.bar.stop();
        this.bar = undefined;
        this.note(
          `loaded ${n(progress.listed)} customers (${n(progress.written)} written, ${n(progress.deleted)} removed as deleted)`,
        );
      }
      return;
    }
    if (progress.stage !== "done") return;
    this.lastReconcile = new Date();
    this.note(
      `reconciled: read ${n(progress.read)} customers updated since ${progress.since}, wrote ${n(progress.written)}`,
    );
  }

  protected announce(info: ReadyInfo): void {
    this.note(
      [
        `listening on ${info.listening} for webhook deliveries`,
        `subscription ${info.subscriptionId} → ${info.notificationUrl} (merchant ${info.merchantId})`,
        "applying events live; Ctrl-C stops (the subscription is kept, so a later run resumes; --unsubscribe deletes it)",
      ].join("\n"),
    );
  }

  protected event(result: MirrorEventResult, at: Date): void {
    const version = result.version === undefined ? "" : `v${result.version}`;
    const line = [
      clock(at),
      result.eventType.padEnd(18),
      (result.customerId ?? "-").padEnd(26),
      version.padEnd(5),
      result.outcome,
    ]
      .join("  ")
      .trimEnd();
    this.clearStatus();
    process.stdout.write(`${line}\n`);
    this.scheduleStatus();
  }

  override note(text: string): void {
    this.clearStatus();
    note(text);
    this.scheduleStatus();
  }

  stopped(reason: string): void {
    if (this.statusTimer !== undefined) clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
    this.clearStatus();
    this.live = false;
    note(`${reason}: ${this.statusText()}`);
  }

  private statusText(): string {
    const e = this.events;
    const total = e.applied + e.stale + e.duplicate + e.ignored;
    const reconciled = this.lastReconcile ? ` · reconciled ${clock(this.lastReconcile)}` : "";
    return `customers ${n(this.customers())} · events ${n(total)} (applied ${n(e.applied)}, stale ${n(e.stale)}, duplicate ${n(e.duplicate)}, ignored ${n(e.ignored)})${reconciled}`;
  }

  /** Redraws the status line soon (at most every STATUS_EVERY_MS), on a terminal only. */
  private scheduleStatus(): void {
    if (!this.live || !stderrIsTty() || this.statusTimer !== undefined) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = undefined;
      if (!this.live) return;
      process.stderr.write(`\r\x1b[2K${this.statusText()}`);
      this.statusShown = true;
    }, STATUS_EVERY_MS);
  }

  /** Takes the status line away before anything else is printed (it is redrawn after). */
  private clearStatus(): void {
    if (!this.statusShown) return;
    process.stderr.write("\r\x1b[2K");
    this.statusShown = false;
  }
}

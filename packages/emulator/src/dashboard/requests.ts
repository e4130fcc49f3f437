// A row of the request log.
import type { LoggedRequest } from "../api/request-log.js";
import { el } from "./dom.js";

/** An answer slower than this is marked in the log. */
const SLOW_MS = 500;

/** A request as a row of the log: failed answers and slow ones marked. */
export function logRow(entry: LoggedRequest): HTMLElement {
  const fault = entry.fault ?? (entry.latencyMs ? `latency ${entry.latencyMs} ms` : "");
  return el(
    "tr",
    {
      class: [entry.status >= 400 ? "failed" : "", entry.durationMs > SLOW_MS ? "slow" : ""].join(" ").trim(),
      dataset: { seq: String(entry.seq), status: String(entry.status), fault: entry.fault ?? "" },
    },
    el("td", { title: entry.at }, new Date(entry.at).toLocaleTimeString()),
    el("td", {}, entry.method),
    el("td", { class: "mono", title: entry.path }, entry.path),
    el("td", { class: "status" }, String(entry.status)),
    el("td", { class: "ms" }, entry.durationMs.toFixed(1)),
    el("td", { class: "fault" }, fault),
    el("td", {}, entry.operation ?? ""),
    el("td", { class: "mono" }, entry.merchant ?? ""),
  );
}

// The webhook delivery log: a row per delivery with its attempts, and the queue's state.
import type { DeliveriesView } from "../admin/endpoints.js";
import type { DeliveryView } from "../webhooks/delivery-log.js";
import { api } from "./admin.js";
import { $, el, keepNewestRows } from "./dom.js";

/** A delivery as a row of the log: its last attempt, and the last reason it had to be retried. */
function deliveryRow(d: DeliveryView): HTMLElement {
  const last = d.attempts.at(-1);
  const reason = [...d.attempts].reverse().find((a) => a.failure !== undefined);
  return el(
    "tr",
    { dataset: { seq: String(d.seq), state: d.state, event: d.eventId } },
    el("td", { title: d.createdAt }, new Date(d.createdAt).toLocaleTimeString()),
    el("td", { class: "mono" }, d.test ? `${d.eventType} (test)` : d.eventType),
    el("td", { class: "mono", title: d.eventId }, d.eventId.slice(0, 8)),
    el("td", { class: "mono" }, d.subscriptionId),
    el("td", { class: "mono url", title: d.notificationUrl }, d.notificationUrl),
    el("td", { class: "state", title: d.nextAttemptAt ? `next attempt ${d.nextAttemptAt}` : "" }, d.state),
    el("td", {}, String(d.attempts.length)),
    el(
      "td",
      { class: "status", title: last?.error ?? "" },
      last?.status === undefined ? "" : String(last.status),
    ),
    el("td", { class: "ms" }, last === undefined ? "" : last.latencyMs.toFixed(1)),
    el("td", { title: reason?.error ?? "" }, reason?.failure ?? ""),
    el("td", { class: "fault" }, d.faults.join(", ")),
  );
}

/** Reads the deliveries changed since the last read and redraws their rows (newest on top). */
export async function loadDeliveries(after: number): Promise<number> {
  const view = await api<DeliveriesView>(`/webhooks/deliveries?after=${after}`);
  const body = $("#delivery-log tbody");
  body.querySelector("tr.loading")?.remove();
  for (const d of view.deliveries) {
    const row = deliveryRow(d);
    const shown = body.querySelector(`tr[data-seq="${d.seq}"]`);
    if (shown) shown.replaceWith(row);
    else body.prepend(row);
  }
  keepNewestRows(body);
  $("#no-deliveries").hidden = body.children.length > 0;
  const q = view.queue;
  $("#webhook-queue").textContent =
    `Queue: ${q.pending} pending, ${q.sending} sending, ${q.dropped} dropped (holds ${q.capacity}); ` +
    `retry schedule × ${q.retryScale}, answer timeout ${q.timeoutMs} ms.`;
  return view.rev;
}

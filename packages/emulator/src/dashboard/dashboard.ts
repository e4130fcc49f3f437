// The dashboard's script, run in the browser (compiled with its own tsconfig, which has the DOM lib; it
// imports nothing at run time but its own modules: the other imports are types only, the same ones the
// admin API answers with). It reads only the admin API under /_emulator (see the package README) and
// writes customer data into the page as text only (textContent), never as HTML. This module starts every
// section and keeps them live: the request log is followed as Server-Sent Events, the webhook delivery
// log by reading what changed every second.
import type { EmulatorInfo } from "../admin/endpoints.js";
import type { LoggedRequest } from "../api/request-log.js";
import { API, api } from "./admin.js";
import { setupCustomerControls } from "./customers.js";
import { loadDeliveries } from "./deliveries.js";
import { $, el, keepNewestRows } from "./dom.js";
import { loadFaults } from "./faults.js";
import { loadMerchants } from "./merchants.js";
import { logRow } from "./requests.js";
import { state } from "./state.js";

/** How often the webhook delivery log is read again (deliveries and retries happen on their own). */
const DELIVERY_POLL_MS = 1000;

/** The header: where the emulator is and how it runs; the snapshot links when it has them. */
function showAbout(info: EmulatorInfo): void {
  const cors =
    info.cors === false
      ? "CORS off"
      : `CORS: local origins${info.cors.length ? `, ${info.cors.join(", ")}` : ""}`;
  $("#about").textContent = [
    location.origin,
    info.storage === "file" ? "SQLite file" : "in memory",
    `seed ${info.seed}`,
    info.tokensRestricted ? "listed tokens only" : "any token",
    cors,
    ...(info.clock === "manual" ? ["manual clock"] : []),
  ].join(" · ");
  $("#snapshot-save").hidden = !info.features.snapshots;
  for (const node of document.querySelectorAll(".base-url")) node.textContent = location.origin;
}

let merchantRefresh: ReturnType<typeof setTimeout> | undefined;

/** Follows the request log live (EventSource reconnects by itself, resuming after the last entry). */
function followRequests(): void {
  const body = $("#request-log tbody");
  const source = new EventSource(`${API}/requests/stream`);
  source.addEventListener("open", () => {
    $("#live").textContent = "(live)";
  });
  source.addEventListener("error", () => {
    $("#live").textContent = "(reconnecting…)";
  });
  source.addEventListener("request", (event) => {
    const entry = JSON.parse((event as MessageEvent<string>).data) as LoggedRequest;
    if (body.querySelector(`tr[data-seq="${entry.seq}"]`)) return;
    body.prepend(logRow(entry));
    keepNewestRows(body);
    $("#no-requests").hidden = true;
    // New merchants and changed counts show up without a reload (at most once a second).
    clearTimeout(merchantRefresh);
    merchantRefresh = setTimeout(() => void loadMerchants(), 1000);
  });
}

/** Follows the delivery log by reading what changed, every DELIVERY_POLL_MS. */
function followDeliveries(info: EmulatorInfo): void {
  const section = $("#webhook-deliveries");
  section.dataset.available = String(info.features.webhookDeliveries);
  if (!info.features.webhookDeliveries) return;
  let rev = 0;
  const poll = async () => {
    try {
      rev = await loadDeliveries(rev);
    } catch {
      // The emulator may be restarting: try again at the next tick.
    }
    setTimeout(() => void poll(), DELIVERY_POLL_MS);
  };
  void poll();
}

async function start(): Promise<void> {
  const info = await api<EmulatorInfo>("/info");
  state.info = info;
  showAbout(info);
  setupCustomerControls();
  followDeliveries(info);
  followRequests();
  await Promise.all([loadMerchants(), loadFaults()]);
  document.body.dataset.ready = "true";
}

start().catch((error: unknown) => {
  document.body.prepend(
    el("p", { class: "error", role: "alert" }, `The dashboard could not load: ${String(error)}`),
  );
});

// The merchants (one per bearer token) and the one picked: its customers, groups, segments and custom
// attribute definitions are what the other sections show.
import type { MerchantView } from "../admin/views.js";
import { API, api, enc } from "./admin.js";
import { hideCustomer, loadCustomers } from "./customers.js";
import { $, el, showLoading } from "./dom.js";
import { loadObjects } from "./objects.js";
import { state } from "./state.js";

/** Reads the merchants and lists them; the first is picked when none is yet. */
export async function loadMerchants(): Promise<void> {
  state.merchants = (await api<{ merchants: MerchantView[] }>("/merchants")).merchants;
  $("#merchant-list").replaceChildren(
    ...state.merchants.map((m) =>
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            "aria-pressed": String(m.id === state.merchant),
            dataset: { merchant: m.id },
            onclick: () => void selectMerchant(m.id),
          },
          el("strong", { class: "mono" }, `token ${m.tokenHash}…`),
          el("br"),
          el("span", { class: "muted" }, `${m.id} · ${m.customers.toLocaleString()} customers`),
        ),
      ),
    ),
  );
  $("#no-merchants").hidden = state.merchants.length > 0;
  const first = state.merchants[0];
  if (state.merchant === undefined && first !== undefined) await selectMerchant(first.id);
}

/** Picks a merchant: its customers (from the first page), groups, segments and definitions. */
export async function selectMerchant(id: string): Promise<void> {
  state.merchant = id;
  for (const button of document.querySelectorAll<HTMLElement>("#merchant-list button")) {
    button.setAttribute("aria-pressed", String(button.dataset.merchant === id));
  }
  const m = state.merchants.find((x) => x.id === id);
  $("#merchant-name").textContent = m ? `of token ${m.tokenHash}…` : "";
  showMerchantSnapshot(id);
  state.pageCursors = [undefined];
  state.page = 0;
  hideCustomer();
  for (const section of ["#groups", "#segments", "#definitions"]) showLoading($(`${section} tbody`));
  await Promise.all([loadCustomers(), loadObjects()]);
}

/** The "save a snapshot" link for the selected merchant (GET /_emulator/snapshot?merchant=…). */
function showMerchantSnapshot(id: string): void {
  const link = $<HTMLAnchorElement>("#snapshot-merchant");
  link.href = `${API}/snapshot?merchant=${enc(id)}`;
  link.textContent = `merchant ${id}`;
  link.hidden = false;
}

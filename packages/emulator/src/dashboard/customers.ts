// The picked merchant's customers: a page of the list (or of a search), paging, and the customer opened
// beside the list with its custom attribute values and cards.
import type { Customer } from "@square-customers/core";
import type { CustomerPageView, CustomerView } from "../admin/views.js";
import { api, enc } from "./admin.js";
import { $, el, fillRows, showLoading } from "./dom.js";
import { state } from "./state.js";

const PAGE_SIZE = 25;

/** How a customer is named in the list. */
function displayName(c: Customer): string {
  const name = [c.given_name, c.family_name].filter(Boolean).join(" ");
  return name || c.company_name || c.nickname || "(no name)";
}

/** Reads the page of customers `state` points at (of the search, when there is one) and shows it. */
export async function loadCustomers(): Promise<void> {
  if (state.merchant === undefined) return;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.query !== "") params.set("q", state.query);
  const cursor = state.pageCursors[state.page];
  if (cursor !== undefined) params.set("cursor", cursor);
  const body = $("#customer-table tbody");
  showLoading(body);
  const page = await api<CustomerPageView>(`/merchants/${enc(state.merchant)}/customers?${params}`);
  state.nextCursor = page.next;
  // A customer the search no longer finds is no longer shown beside the list.
  if (state.selectedCustomer !== undefined && !page.customers.some((c) => c.id === state.selectedCustomer)) {
    hideCustomer();
  }
  fillRows(
    body,
    page.customers.map((c) =>
      el(
        "tr",
        {
          dataset: { customer: c.id ?? "" },
          "aria-selected": String(c.id === state.selectedCustomer),
          onclick: () => void showCustomer(c.id ?? ""),
        },
        el("td", { title: c.id }, displayName(c)),
        el("td", {}, c.email_address ?? ""),
        el("td", {}, c.phone_number ?? ""),
        el("td", {}, c.reference_id ?? ""),
        el("td", {}, c.creation_source ?? ""),
        el("td", { title: c.created_at }, c.created_at ? new Date(c.created_at).toLocaleString() : ""),
      ),
    ),
    state.query === "" ? "No customers." : "No customer matches.",
  );
  $("#page-number").textContent = `Page ${state.page + 1}`;
  $<HTMLButtonElement>("#previous-page").disabled = state.page === 0;
  $<HTMLButtonElement>("#next-page").disabled = state.nextCursor === undefined;
}

/** The search box (read as you type) and the pager. */
export function setupCustomerControls(): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const input = $<HTMLInputElement>("#customer-search input");
  const search = () => {
    state.query = input.value.trim();
    state.pageCursors = [undefined];
    state.page = 0;
    void loadCustomers();
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  $("#customer-search").addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    search();
  });
  $("#next-page").addEventListener("click", () => {
    if (state.nextCursor === undefined) return;
    state.pageCursors[state.page + 1] = state.nextCursor;
    state.page += 1;
    void loadCustomers();
  });
  $("#previous-page").addEventListener("click", () => {
    if (state.page === 0) return;
    state.page -= 1;
    void loadCustomers();
  });
}

/** Opens a customer beside the list: its JSON, its custom attribute values and its cards. */
async function showCustomer(id: string): Promise<void> {
  const view = await api<CustomerView>(`/merchants/${enc(state.merchant ?? "")}/customers/${enc(id)}`);
  state.selectedCustomer = id;
  for (const row of document.querySelectorAll<HTMLElement>("#customer-table tbody tr")) {
    row.setAttribute("aria-selected", String(row.dataset.customer === id));
  }
  $("#detail-id").textContent = id;
  $("#detail-json").textContent = JSON.stringify(view.customer, null, 2);
  fillRows(
    $("#detail-attributes tbody"),
    view.custom_attributes.map((a) =>
      el(
        "tr",
        {},
        el("td", { class: "mono" }, a.key ?? ""),
        el("td", {}, JSON.stringify(a.value)),
        el("td", {}, String(a.version)),
        el("td", {}, a.updated_at ?? ""),
      ),
    ),
  );
  fillRows(
    $("#detail-cards tbody"),
    view.cards.map((c) =>
      el(
        "tr",
        {},
        el("td", {}, c.card_brand ?? ""),
        el("td", { class: "mono" }, c.last_4 ?? ""),
        el("td", { class: "mono" }, c.id ?? ""),
      ),
    ),
  );
  const detail = $("#customer-detail");
  detail.hidden = false;
  // Beside the list on a wide window (already in view); below it on a narrow one: bring it into view.
  detail.scrollIntoView({ block: "nearest" });
}

/** Closes the customer opened beside the list. */
export function hideCustomer(): void {
  state.selectedCustomer = undefined;
  $("#customer-detail").hidden = true;
}

// The dashboard's script, run in the browser (compiled with the package; it imports nothing at run
// time: the imports below are types only, the same ones the admin API answers with). It reads only the
// admin API under /_emulator (see the package README) and writes customer data into the page as text
// only (textContent), never as HTML. The request log is followed live (Server-Sent Events), the webhook
// delivery log by reading what changed every second.
import type { Customer } from "@square-customers/core";
import type { DeliveriesView, EmulatorInfo, FaultSettings } from "../admin/api.js";
import type {
  CustomerPageView,
  CustomerView,
  MerchantView,
  ObjectsView,
  ObjectViews,
} from "../admin/views.js";
import type { FaultKind, FaultRule } from "../api/faults.js";
import type { LoggedRequest } from "../api/request-log.js";
import type { DeliveryView } from "../webhooks/delivery-log.js";

const API = "/_emulator";
const PAGE_SIZE = 25;
/** Rows the request log keeps on screen. */
const LOG_ROWS = 200;
/** An answer slower than this is marked in the log. */
const SLOW_MS = 500;
/** How often the webhook delivery log is read again (deliveries and retries happen on their own). */
const DELIVERY_POLL_MS = 1000;

const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  rate_limit: "429 rate limited (not processed)",
  server_error: "500 server error (not processed)",
  unavailable: "503 unavailable (not processed)",
  latency: "slow answer",
  drop_connection: "connection dropped (processed)",
  truncated_body: "body cut off (processed)",
  malformed_body: "body not JSON (processed)",
};

interface State {
  info: EmulatorInfo | undefined;
  merchants: MerchantView[];
  merchant: string | undefined;
  query: string;
  /** Cursor of each customer page seen so far (the first page has none). */
  pageCursors: Array<string | undefined>;
  page: number;
  nextCursor: string | undefined;
  selectedCustomer: string | undefined;
  faults: FaultSettings;
  /** Rules the switches cannot show (nth, several operations): kept as they are. */
  otherRules: FaultRule[];
}

const state: State = {
  info: undefined,
  merchants: [],
  merchant: undefined,
  query: "",
  pageCursors: [undefined],
  page: 0,
  nextCursor: undefined,
  selectedCustomer: undefined,
  faults: { kinds: [], operations: [], rules: [] },
  otherRules: [],
};

/** The page's element for `selector` (the page is ours: a missing one is a bug). */
function $<T extends Element = HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (node === null) throw new Error(`the page has no ${selector}`);
  return node;
}

type Props = Record<string, string | boolean | undefined | Record<string, string> | ((event: Event) => void)>;

/** An element with attributes, `dataset`, `on…` listeners and children (strings become text). */
function el(tag: string, props: Props = {}, ...children: Array<Node | string>): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset" && typeof value === "object") Object.assign(node.dataset, value);
    else if (typeof value === "string") node.setAttribute(key, value);
    else if (value === true) node.setAttribute(key, "");
  }
  node.append(...children);
  return node;
}

/** A table body's one row saying what is (not) there: "Loading…" while a read is on its way, "None." after. */
function messageRow(columns: number, text: string, className: "loading" | "empty"): HTMLElement {
  return el("tr", { class: className }, el("td", { class: className, colspan: String(columns) }, text));
}

/** The rows of a table body, or a "None." row when there are none. */
function fillRows(body: Element, rows: HTMLElement[], none = "None."): void {
  const columns = body.closest("table")?.querySelectorAll("thead th").length ?? 1;
  body.replaceChildren(...(rows.length > 0 ? rows : [messageRow(columns, none, "empty")]));
}

/** Shows "Loading…" in a table body until `fillRows` replaces it. */
function showLoading(body: Element): void {
  const columns = body.closest("table")?.querySelectorAll("thead th").length ?? 1;
  body.replaceChildren(messageRow(columns, "Loading…", "loading"));
}

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(API + path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.errors?.[0]?.detail ?? `HTTP ${res.status}`);
  return body as T;
}

const enc = encodeURIComponent;

// ---- about -------------------------------------------------------------------------------------------

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

// ---- merchants ---------------------------------------------------------------------------------------

async function loadMerchants(): Promise<void> {
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

async function selectMerchant(id: string): Promise<void> {
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

// ---- customers ---------------------------------------------------------------------------------------

function displayName(c: Customer): string {
  const name = [c.given_name, c.family_name].filter(Boolean).join(" ");
  return name || c.company_name || c.nickname || "(no name)";
}

async function loadCustomers(): Promise<void> {
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

function setupCustomerControls(): void {
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

function hideCustomer(): void {
  state.selectedCustomer = undefined;
  $("#customer-detail").hidden = true;
}

// ---- groups, segments, custom attribute definitions ---------------------------------------------------

/** The type name at the end of a definition's schema `$ref` (e.g. "String"). */
function schemaTypeName(schema: unknown): string {
  const s = schema as { $ref?: string; items?: { $ref?: string }; type?: string } | undefined;
  const ref = s?.$ref ?? s?.items?.$ref ?? "";
  return ref.split(".").pop() || (s?.type ?? "");
}

function membersRow(o: { name?: string | null; id?: string; members: number }): HTMLElement {
  return el(
    "tr",
    {},
    el("td", {}, o.name ?? ""),
    el("td", { class: "mono" }, o.id ?? ""),
    el("td", {}, String(o.members)),
  );
}

async function loadObjects(): Promise<void> {
  const m = enc(state.merchant ?? "");
  const [groups, segments, definitions] = await Promise.all([
    api<ObjectsView<ObjectViews["group"]>>(`/merchants/${m}/groups`),
    api<ObjectsView<ObjectViews["segment"]>>(`/merchants/${m}/segments`),
    api<ObjectsView<ObjectViews["definition"]>>(`/merchants/${m}/custom-attribute-definitions`),
  ]);
  fillRows($("#groups tbody"), groups.items.map(membersRow));
  fillRows($("#segments tbody"), segments.items.map(membersRow));
  fillRows(
    $("#definitions tbody"),
    definitions.items.map((d) =>
      el(
        "tr",
        {},
        el("td", { class: "mono" }, d.key ?? ""),
        el("td", {}, d.name ?? ""),
        el("td", {}, schemaTypeName(d.schema)),
        el("td", {}, d.visibility ?? ""),
        el("td", {}, String(d.version)),
      ),
    ),
  );
}

// ---- faults ------------------------------------------------------------------------------------------

/** A rule one switch row can show: no `nth`, and all operations or exactly one. */
function isSwitchRule(rule: FaultRule): boolean {
  return rule.nth === undefined && (rule.operations === undefined || rule.operations.length === 1);
}

async function loadFaults(): Promise<void> {
  state.faults = await api<FaultSettings>("/faults");
  renderFaults();
}

function renderFaults(): void {
  const { kinds, operations, rules } = state.faults;
  const shown = new Map<FaultKind, FaultRule>();
  state.otherRules = [];
  for (const rule of rules) {
    if (isSwitchRule(rule) && !shown.has(rule.kind)) shown.set(rule.kind, rule);
    else state.otherRules.push(rule);
  }
  $("#fault-table tbody").replaceChildren(
    ...kinds.map((kind) => faultRow(kind, shown.get(kind), operations)),
  );
  const other = $("#other-rules");
  other.hidden = state.otherRules.length === 0;
  other.textContent = `Also active (set from the command line or the API, kept as they are): ${JSON.stringify(state.otherRules)}`;
}

/** The extra setting a kind of fault has, if any. */
function optionOf(kind: FaultKind, rule: FaultRule | undefined) {
  if (kind === "latency") return { label: "ms", field: "latencyMs", value: String(rule?.latencyMs ?? 100) };
  if (kind === "rate_limit" || kind === "unavailable") {
    return {
      label: "Retry-After s",
      field: "retryAfterSeconds",
      value: String(rule?.retryAfterSeconds ?? ""),
    };
  }
  return undefined;
}

function faultRow(kind: FaultKind, rule: FaultRule | undefined, operations: readonly string[]): HTMLElement {
  const option = optionOf(kind, rule);
  return el(
    "tr",
    { dataset: { kind } },
    el(
      "td",
      {},
      el("input", {
        type: "checkbox",
        checked: rule !== undefined,
        dataset: { fault: kind },
        "aria-label": `${kind} on`,
        onchange: () => void saveFaults(),
      }),
    ),
    el(
      "td",
      {},
      el("span", { class: "mono" }, kind),
      " ",
      el("span", { class: "muted" }, FAULT_DESCRIPTIONS[kind]),
    ),
    el(
      "td",
      {},
      el(
        "select",
        { name: "operation", "aria-label": `${kind} operation`, onchange: saveIfOn },
        el("option", { value: "" }, "all operations"),
        ...operations.map((op) => el("option", { value: op, selected: rule?.operations?.[0] === op }, op)),
      ),
    ),
    el(
      "td",
      {},
      el("input", {
        type: "number",
        name: "rate",
        min: "0",
        max: "1",
        step: "0.05",
        placeholder: "every",
        value: rule?.rate === undefined ? "" : String(rule.rate),
        "aria-label": `${kind} rate`,
        onchange: saveIfOn,
      }),
    ),
    el(
      "td",
      {},
      option === undefined
        ? ""
        : el(
            "label",
            {},
            el("input", {
              type: "number",
              name: option.field,
              min: "0",
              value: option.value,
              "aria-label": `${kind} ${option.label}`,
              onchange: saveIfOn,
            }),
            ` ${option.label}`,
          ),
    ),
  );
}

/** The rule a switched-on row stands for. */
function rowRule(row: HTMLElement): FaultRule {
  const value = (selector: string) =>
    row.querySelector<HTMLInputElement | HTMLSelectElement>(selector)?.value ?? "";
  const operation = value("select[name=operation]");
  const rate = value("input[name=rate]");
  const latencyMs = value("input[name=latencyMs]");
  const retryAfterSeconds = value("input[name=retryAfterSeconds]");
  return {
    kind: row.dataset.kind as FaultKind,
    ...(operation === "" ? {} : { operations: [operation as NonNullable<FaultRule["operations"]>[number]] }),
    ...(rate === "" ? {} : { rate: Number(rate) }),
    ...(latencyMs === "" ? {} : { latencyMs: Number(latencyMs) }),
    ...(retryAfterSeconds === "" ? {} : { retryAfterSeconds: Number(retryAfterSeconds) }),
  };
}

function isOn(row: Element | null): boolean {
  return row?.querySelector<HTMLInputElement>("input[type=checkbox]")?.checked === true;
}

/** A changed setting of a row takes effect at once when its fault is on (else when switched on). */
function saveIfOn(event: Event): void {
  if (isOn((event.target as Element).closest("tr"))) void saveFaults();
}

/**
 * Sends the rules the switches stand for (plus the other rules, unchanged). The rows stay as the user
 * left them; only a refused change redraws them from the emulator's rules.
 */
async function saveFaults(): Promise<void> {
  const rows = [...document.querySelectorAll<HTMLElement>("#fault-table tbody tr")];
  const rules = [...state.otherRules, ...rows.filter(isOn).map(rowRule)];
  const error = $("#fault-error");
  try {
    state.faults = await api<FaultSettings>("/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules }),
    });
    error.hidden = true;
  } catch (e) {
    error.textContent = (e as Error).message;
    error.hidden = false;
    await loadFaults();
  }
}

// ---- request log -------------------------------------------------------------------------------------

function logRow(entry: LoggedRequest): HTMLElement {
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
    while (body.children.length > LOG_ROWS) body.lastElementChild?.remove();
    $("#no-requests").hidden = true;
    // New merchants and changed counts show up without a reload (at most once a second).
    clearTimeout(merchantRefresh);
    merchantRefresh = setTimeout(() => void loadMerchants(), 1000);
  });
}

// ---- webhook deliveries ------------------------------------------------------------------------------

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
async function loadDeliveries(after: number): Promise<number> {
  const view = await api<DeliveriesView>(`/webhooks/deliveries?after=${after}`);
  const body = $("#delivery-log tbody");
  body.querySelector("tr.loading")?.remove();
  for (const d of view.deliveries) {
    const row = deliveryRow(d);
    const shown = body.querySelector(`tr[data-seq="${d.seq}"]`);
    if (shown) shown.replaceWith(row);
    else body.prepend(row);
  }
  while (body.children.length > LOG_ROWS) body.lastElementChild?.remove();
  $("#no-deliveries").hidden = body.children.length > 0;
  const q = view.queue;
  $("#webhook-queue").textContent =
    `Queue: ${q.pending} pending, ${q.sending} sending, ${q.dropped} dropped (holds ${q.capacity}); ` +
    `retry schedule × ${q.retryScale}, answer timeout ${q.timeoutMs} ms.`;
  return view.rev;
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

// ---- start -------------------------------------------------------------------------------------------

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

// The emulator's dashboard: plain JavaScript, no build step, served by the emulator itself. It reads
// only the admin API under /_emulator (see the package README) and writes customer data into the page
// as text only (textContent), never as HTML.

const API = "/_emulator";
const PAGE_SIZE = 25;
/** Rows the request log keeps on screen. */
const LOG_ROWS = 200;
/** An answer slower than this is marked in the log. */
const SLOW_MS = 500;

const FAULT_DESCRIPTIONS = {
  rate_limit: "429 rate limited (not processed)",
  server_error: "500 server error (not processed)",
  unavailable: "503 unavailable (not processed)",
  latency: "slow answer",
  drop_connection: "connection dropped (processed)",
  truncated_body: "body cut off (processed)",
  malformed_body: "body not JSON (processed)",
};

const state = {
  info: undefined,
  merchants: [],
  merchant: undefined,
  query: "",
  /** Cursor of each customer page seen so far (the first page has none). */
  pageCursors: [undefined],
  page: 0,
  nextCursor: undefined,
  selectedCustomer: undefined,
  faults: { kinds: [], operations: [], rules: [] },
  /** Rules the switches cannot show (nth, several operations): kept as they are. */
  otherRules: [],
};

const $ = (selector) => document.querySelector(selector);

/** An element with properties and children (strings become text nodes). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

async function api(path, init) {
  const res = await fetch(API + path, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.errors?.[0]?.detail ?? `HTTP ${res.status}`);
  return body;
}

const enc = encodeURIComponent;

function shortTime(iso) {
  return iso === undefined ? "" : new Date(iso).toLocaleTimeString();
}

// ---- about -------------------------------------------------------------------------------------------

function showAbout() {
  const { storage, seed, cors, tokensRestricted } = state.info;
  const corsText =
    cors === false ? "CORS off" : `CORS: local origins${cors.length ? `, ${cors.join(", ")}` : ""}`;
  $("#about").textContent = [
    location.origin,
    storage === "file" ? "SQLite file" : "in memory",
    `seed ${seed}`,
    tokensRestricted ? "listed tokens only" : "any token",
    corsText,
  ].join(" · ");
  for (const node of document.querySelectorAll(".base-url")) node.textContent = location.origin;
}

// ---- merchants ---------------------------------------------------------------------------------------

async function loadMerchants() {
  state.merchants = (await api("/merchants")).merchants;
  const list = $("#merchant-list");
  list.replaceChildren(
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
            onclick: () => selectMerchant(m.id),
          },
          el("strong", { class: "mono" }, `token ${m.tokenHash}…`),
          el("br"),
          el("span", { class: "muted" }, `${m.id} · ${m.customers.toLocaleString()} customers`),
        ),
      ),
    ),
  );
  $("#no-merchants").hidden = state.merchants.length > 0;
  if (state.merchant === undefined && state.merchants.length > 0) await selectMerchant(state.merchants[0].id);
}

async function selectMerchant(id) {
  state.merchant = id;
  for (const button of document.querySelectorAll("#merchant-list button")) {
    button.setAttribute("aria-pressed", String(button.dataset.merchant === id));
  }
  const m = state.merchants.find((x) => x.id === id);
  $("#merchant-name").textContent = m ? `of token ${m.tokenHash}…` : "";
  state.pageCursors = [undefined];
  state.page = 0;
  hideCustomer();
  await Promise.all([loadCustomers(), loadObjects()]);
}

// ---- customers ---------------------------------------------------------------------------------------

function displayName(c) {
  const name = [c.given_name, c.family_name].filter(Boolean).join(" ");
  return name || c.company_name || c.nickname || "(no name)";
}

async function loadCustomers() {
  if (state.merchant === undefined) return;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (state.query !== "") params.set("q", state.query);
  const cursor = state.pageCursors[state.page];
  if (cursor !== undefined) params.set("cursor", cursor);
  const page = await api(`/merchants/${enc(state.merchant)}/customers?${params}`);
  state.nextCursor = page.next;
  $("#customer-table tbody").replaceChildren(
    ...page.customers.map((c) =>
      el(
        "tr",
        {
          dataset: { customer: c.id },
          "aria-selected": String(c.id === state.selectedCustomer),
          onclick: () => showCustomer(c.id),
        },
        el("td", { title: c.id }, displayName(c)),
        el("td", {}, c.email_address ?? ""),
        el("td", {}, c.phone_number ?? ""),
        el("td", {}, c.reference_id ?? ""),
        el("td", {}, c.creation_source ?? ""),
        el("td", { title: c.created_at }, new Date(c.created_at).toLocaleString()),
      ),
    ),
  );
  $("#no-customers").hidden = page.customers.length > 0;
  $("#page-number").textContent = `Page ${state.page + 1}`;
  $("#previous-page").disabled = state.page === 0;
  $("#next-page").disabled = state.nextCursor === undefined;
}

function setupCustomerControls() {
  let timer;
  const input = $("#customer-search input");
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

async function showCustomer(id) {
  const view = await api(`/merchants/${enc(state.merchant)}/customers/${enc(id)}`);
  state.selectedCustomer = id;
  for (const row of document.querySelectorAll("#customer-table tbody tr")) {
    row.setAttribute("aria-selected", String(row.dataset.customer === id));
  }
  $("#detail-id").textContent = id;
  $("#detail-json").textContent = JSON.stringify(view.customer, null, 2);
  $("#detail-attributes tbody").replaceChildren(
    ...view.custom_attributes.map((a) =>
      el(
        "tr",
        {},
        el("td", { class: "mono" }, a.key),
        el("td", {}, JSON.stringify(a.value)),
        el("td", {}, String(a.version)),
        el("td", {}, a.updated_at ?? ""),
      ),
    ),
  );
  $("#detail-cards").textContent =
    view.cards.length === 0
      ? "No cards on file."
      : `Cards on file: ${view.cards.map((c) => `${c.card_brand} …${c.last_4} (${c.id})`).join(", ")}`;
  $("#customer-detail").hidden = false;
}

function hideCustomer() {
  state.selectedCustomer = undefined;
  $("#customer-detail").hidden = true;
}

// ---- groups, segments, custom attribute definitions ---------------------------------------------------

function fillTable(section, rows) {
  const body = $(`${section} tbody`);
  body.replaceChildren(...rows);
  if (rows.length === 0) body.append(el("tr", {}, el("td", { class: "empty", colspan: "5" }, "None.")));
}

/** The type name at the end of a definition's schema `$ref` (e.g. "String"). */
function schemaTypeName(schema) {
  const ref = schema?.$ref ?? schema?.items?.$ref ?? "";
  return ref.split(".").pop() || (schema?.type ?? "");
}

async function loadObjects() {
  const m = enc(state.merchant);
  const [groups, segments, definitions] = await Promise.all([
    api(`/merchants/${m}/groups`),
    api(`/merchants/${m}/segments`),
    api(`/merchants/${m}/custom-attribute-definitions`),
  ]);
  const membersRow = (o) =>
    el(
      "tr",
      {},
      el("td", {}, o.name ?? ""),
      el("td", { class: "mono" }, o.id),
      el("td", {}, String(o.members)),
    );
  fillTable("#groups", groups.items.map(membersRow));
  fillTable("#segments", segments.items.map(membersRow));
  fillTable(
    "#definitions",
    definitions.items.map((d) =>
      el(
        "tr",
        {},
        el("td", { class: "mono" }, d.key),
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
function isSwitchRule(rule) {
  return rule.nth === undefined && (rule.operations === undefined || rule.operations.length === 1);
}

async function loadFaults() {
  state.faults = await api("/faults");
  renderFaults();
}

function renderFaults() {
  const { kinds, operations, rules } = state.faults;
  const shown = new Map();
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

function faultRow(kind, rule, operations) {
  const on = rule !== undefined;
  const option =
    kind === "latency"
      ? { label: "ms", field: "latencyMs", value: rule?.latencyMs ?? 100 }
      : kind === "rate_limit" || kind === "unavailable"
        ? { label: "Retry-After s", field: "retryAfterSeconds", value: rule?.retryAfterSeconds ?? "" }
        : undefined;
  return el(
    "tr",
    { dataset: { kind } },
    el(
      "td",
      {},
      el("input", {
        type: "checkbox",
        checked: on,
        dataset: { fault: kind },
        "aria-label": `${kind} on`,
        onchange: saveFaults,
      }),
    ),
    el(
      "td",
      {},
      el("span", { class: "mono" }, kind),
      " ",
      el("span", { class: "muted" }, FAULT_DESCRIPTIONS[kind] ?? ""),
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
        value: rule?.rate ?? "",
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
function rowRule(row) {
  const rule = { kind: row.dataset.kind };
  const operation = row.querySelector("select[name=operation]").value;
  if (operation !== "") rule.operations = [operation];
  const rate = row.querySelector("input[name=rate]").value;
  if (rate !== "") rule.rate = Number(rate);
  for (const field of ["latencyMs", "retryAfterSeconds"]) {
    const input = row.querySelector(`input[name=${field}]`);
    if (input && input.value !== "") rule[field] = Number(input.value);
  }
  return rule;
}

/** A changed setting of a row takes effect at once when its fault is on (else when switched on). */
function saveIfOn(event) {
  if (event.target.closest("tr").querySelector("input[type=checkbox]").checked) void saveFaults();
}

/**
 * Sends the rules the switches stand for (plus the other rules, unchanged). The rows stay as the user
 * left them; only a refused change redraws them from the emulator's rules.
 */
async function saveFaults() {
  const rows = [...document.querySelectorAll("#fault-table tbody tr")];
  const rules = [
    ...state.otherRules,
    ...rows.filter((row) => row.querySelector("input[type=checkbox]").checked).map(rowRule),
  ];
  const error = $("#fault-error");
  try {
    state.faults = await api("/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules }),
    });
    error.hidden = true;
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    await loadFaults();
  }
}

// ---- request log -------------------------------------------------------------------------------------

function logRow(entry) {
  const fault = entry.fault ?? (entry.latencyMs ? `latency ${entry.latencyMs} ms` : "");
  return el(
    "tr",
    {
      class: [entry.status >= 400 ? "failed" : "", entry.durationMs > SLOW_MS ? "slow" : ""].join(" ").trim(),
      dataset: { seq: String(entry.seq), status: String(entry.status), fault: entry.fault ?? "" },
    },
    el("td", { title: entry.at }, shortTime(entry.at)),
    el("td", {}, entry.method),
    el("td", { class: "mono", title: entry.path }, entry.path),
    el("td", { class: "status" }, String(entry.status)),
    el("td", { class: "ms" }, entry.durationMs.toFixed(1)),
    el("td", { class: "fault" }, fault),
    el("td", {}, entry.operation ?? ""),
    el("td", { class: "mono" }, entry.merchant ?? ""),
  );
}

let merchantRefresh;

function followRequests() {
  const body = $("#request-log tbody");
  const source = new EventSource(`${API}/requests/stream`);
  source.addEventListener("open", () => {
    $("#live").textContent = "(live)";
  });
  source.addEventListener("error", () => {
    $("#live").textContent = "(reconnecting…)";
  });
  source.addEventListener("request", (event) => {
    const entry = JSON.parse(event.data);
    if (body.querySelector(`tr[data-seq="${entry.seq}"]`)) return;
    body.prepend(logRow(entry));
    while (body.children.length > LOG_ROWS) body.lastElementChild.remove();
    $("#no-requests").hidden = true;
    // New merchants and changed counts show up without a reload (at most once a second).
    clearTimeout(merchantRefresh);
    merchantRefresh = setTimeout(() => void loadMerchants(), 1000);
  });
}

// ---- webhook deliveries ------------------------------------------------------------------------------

/**
 * Webhook deliveries are not emulated yet (info.features.webhookDeliveries is false), so the section
 * shows its empty state. When they are, GET /_emulator/webhooks/deliveries lists them and this is
 * where they are drawn.
 */
function showWebhookDeliveries() {
  $("#webhook-deliveries").dataset.available = String(state.info.features.webhookDeliveries);
}

// ---- start -------------------------------------------------------------------------------------------

async function start() {
  state.info = await api("/info");
  showAbout();
  setupCustomerControls();
  showWebhookDeliveries();
  followRequests();
  await Promise.all([loadMerchants(), loadFaults()]);
  document.body.dataset.ready = "true";
}

start().catch((error) => {
  document.body.prepend(
    el("p", { class: "error", role: "alert" }, `The dashboard could not load: ${error.message}`),
  );
});

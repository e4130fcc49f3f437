// The fault switches: one row per kind of fault (on, operation, rate, its option), saved as rules as soon
// as they change; rules the switches cannot show are kept as they are.
import type { FaultSettings } from "../admin/endpoints.js";
import type { FaultKind, FaultRule } from "../api/faults.js";
import { api } from "./admin.js";
import { $, el } from "./dom.js";
import { state } from "./state.js";

const FAULT_DESCRIPTIONS: Record<FaultKind, string> = {
  rate_limit: "429 rate limited (not processed)",
  server_error: "500 server error (not processed)",
  unavailable: "503 unavailable (not processed)",
  latency: "slow answer",
  drop_connection: "connection dropped (processed)",
  truncated_body: "body cut off (processed)",
  malformed_body: "body not JSON (processed)",
};

/** A rule one switch row can show: no `nth`, and all operations or exactly one. */
function isSwitchRule(rule: FaultRule): boolean {
  return rule.nth === undefined && (rule.operations === undefined || rule.operations.length === 1);
}

/** Reads the fault rules in force and shows them as switches. */
export async function loadFaults(): Promise<void> {
  state.faults = await api<FaultSettings>("/faults");
  renderFaults();
}

/** One switch row per kind of fault; the rules no row can show are listed below the table. */
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

/** The switch row of one kind of fault, set as `rule` says (off when there is none). */
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

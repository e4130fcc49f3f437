// Building the page's parts: elements with text only (customer data is never written as HTML), and table
// bodies that say what is (not) there.

/** Rows a log table keeps on screen (the request log, the delivery log). */
const LOG_ROWS = 200;

/** The page's element for `selector` (the page is ours: a missing one is a bug). */
export function $<T extends Element = HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (node === null) throw new Error(`the page has no ${selector}`);
  return node;
}

type Props = Record<string, string | boolean | undefined | Record<string, string> | ((event: Event) => void)>;

/** An element with attributes, `dataset`, `on…` listeners and children (strings become text). */
export function el(tag: string, props: Props = {}, ...children: Array<Node | string>): HTMLElement {
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
export function fillRows(body: Element, rows: HTMLElement[], none = "None."): void {
  const columns = body.closest("table")?.querySelectorAll("thead th").length ?? 1;
  body.replaceChildren(...(rows.length > 0 ? rows : [messageRow(columns, none, "empty")]));
}

/** Shows "Loading…" in a table body until `fillRows` replaces it. */
export function showLoading(body: Element): void {
  const columns = body.closest("table")?.querySelectorAll("thead th").length ?? 1;
  body.replaceChildren(messageRow(columns, "Loading…", "loading"));
}

/** Keeps the newest LOG_ROWS rows of a log table (the newest are on top). */
export function keepNewestRows(body: Element): void {
  while (body.children.length > LOG_ROWS) body.lastElementChild?.remove();
}

// The picked merchant's groups, segments and custom attribute definitions.
import type { ObjectsView, ObjectViews } from "../admin/views.js";
import { api, enc } from "./admin.js";
import { $, el, fillRows } from "./dom.js";
import { state } from "./state.js";

/** The type name at the end of a definition's schema `$ref` (e.g. "String"). */
function schemaTypeName(schema: unknown): string {
  const s = schema as { $ref?: string; items?: { $ref?: string }; type?: string } | undefined;
  const ref = s?.$ref ?? s?.items?.$ref ?? "";
  return ref.split(".").pop() || (s?.type ?? "");
}

/** A group or segment as a row: its name, id and how many customers are in it. */
function membersRow(o: { name?: string | null; id?: string; members: number }): HTMLElement {
  return el(
    "tr",
    {},
    el("td", {}, o.name ?? ""),
    el("td", { class: "mono" }, o.id ?? ""),
    el("td", {}, String(o.members)),
  );
}

/** Reads and shows the picked merchant's groups, segments and custom attribute definitions. */
export async function loadObjects(): Promise<void> {
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

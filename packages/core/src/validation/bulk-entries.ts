// Bulk operations whose body is a map of entries (bulk create, bulk update, bulk upsert): Square answers
// a problem with one entry in that entry's own result and goes on with the others. These helpers find
// the map and split validation issues into whole-request ones and per-entry ones, with each per-entry
// field made relative to its entry (`email_address`, not `customers.<key>.email_address`), the one
// field-path format used by the emulator's answers and by both clients' `createMany` results.

import { requestSchemas } from "../generated/schemas.js";
import { operation } from "../table/operation.js";
import type { OperationName } from "../table/types.js";
import type { ValidationIssue } from "./issue.js";
import type { SchemaNode } from "./schema-node.js";

const schemas: Readonly<Record<string, SchemaNode>> = requestSchemas;

/** The body field holding the operation's entries as a map (keyed by idempotency key or id), if any. */
export function entryMapField(name: OperationName): string | undefined {
  const body = operation(name).body;
  if (body === null) return undefined;
  const properties = schemas[body]?.properties ?? {};
  return Object.keys(properties).find((key) => properties[key]?.additionalProperties !== undefined);
}

export interface EntryIssues {
  /** Issues about the request as a whole: any of these fails the whole call. */
  readonly whole: ValidationIssue[];
  /** Issues of single entries, by map key, with fields relative to the entry ("" for the entry itself). */
  readonly perEntry: Map<string, ValidationIssue[]>;
}

/** Splits `issues` of a call to `name` with body `input` into whole-request and per-entry issues. */
export function splitEntryIssues(
  name: OperationName,
  input: unknown,
  issues: readonly ValidationIssue[],
): EntryIssues {
  const whole: ValidationIssue[] = [];
  const perEntry = new Map<string, ValidationIssue[]>();
  const mapField = entryMapField(name);
  const entries =
    mapField === undefined || input === null || typeof input !== "object"
      ? undefined
      : (input as Record<string, unknown>)[mapField];
  // Longest key first: map keys may themselves contain dots.
  const keys =
    entries !== null && typeof entries === "object" && !Array.isArray(entries)
      ? Object.keys(entries).sort((a, b) => b.length - a.length)
      : [];
  for (const issue of issues) {
    const key = keys.find((k) => isWithinEntry(issue.field, `${mapField}.${k}`));
    if (key === undefined) {
      whole.push(issue);
      continue;
    }
    const prefix = `${mapField}.${key}`;
    const relative: ValidationIssue = {
      ...issue,
      field: issue.field === prefix ? "" : issue.field.slice(prefix.length + 1),
      message: issue.message.replaceAll(`${prefix}.`, ""),
    };
    const list = perEntry.get(key);
    if (list) list.push(relative);
    else perEntry.set(key, [relative]);
  }
  return { whole, perEntry };
}

function isWithinEntry(field: string, prefix: string): boolean {
  return field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
}

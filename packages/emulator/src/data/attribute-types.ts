// Custom attribute data types: which schema a definition may have, whether a value fits it, and how a
// search filter matches a stored value.
import {
  isValidEmailAddress,
  isValidPhoneNumber,
  normalizeBirthday,
  parseRfc3339,
  requestSchemas,
} from "@square-customers/core/tooling";
import { badRequest } from "../api/errors.js";
import { MAX_STRING_ATTRIBUTE_LENGTH } from "../square-choices.js";
import { textFilterMatch } from "./matching.js";

export type AttributeType =
  | "String"
  | "Email"
  | "PhoneNumber"
  | "Address"
  | "Date"
  | "Boolean"
  | "Number"
  | "Selection";

const COMMON_PREFIX = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.";
const SIMPLE_TYPES = ["String", "Email", "PhoneNumber", "Address", "Date", "Boolean", "Number"] as const;
const SELECTION_META_SCHEMA = "https://developer-production-s.squarecdn.com/meta-schemas/v1/selection.json";

/** A definition's `schema` normalised: its type, and for Selection the option names and their ids. */
export interface AttributeSchema {
  readonly type: AttributeType;
  readonly schema: Record<string, unknown>;
}

/**
 * Reads a definition schema: `{ "$ref": "<common.json>#squareup.common.<Type>" }` for the simple types,
 * or a Selection schema (`type: "array"`, `items.names`, optional `maxItems`). Selection options get a
 * UUID each in `items.enum` (from `newOptionId`; kept from `previous` for names that already had one), as
 * Square does.
 */
export function readSchema(
  raw: unknown,
  field: string,
  newOptionId: () => string,
  previous?: Record<string, unknown>,
): AttributeSchema {
  const invalid = (why: string) =>
    badRequest("INVALID_VALUE", `Invalid custom attribute schema: ${why}.`, field);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw invalid("expected an object");
  const schema = raw as Record<string, unknown>;
  const ref = schema.$ref;
  if (typeof ref === "string") {
    const type = SIMPLE_TYPES.find((t) => ref === COMMON_PREFIX + t);
    if (type === undefined) throw invalid(`unknown $ref ${JSON.stringify(ref)}`);
    return { type, schema: { $ref: ref } };
  }
  if (schema.type !== "array") throw invalid("expected a $ref to a Square type or a Selection schema");
  const items = schema.items as Record<string, unknown> | undefined;
  const names = items?.names;
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.length > 100 ||
    !names.every((n) => typeof n === "string" && n.length > 0 && n.length <= 255) ||
    new Set(names).size !== names.length
  ) {
    throw invalid("a Selection needs items.names: 1 to 100 distinct non-empty strings");
  }
  const maxItems = schema.maxItems ?? names.length;
  if (!Number.isSafeInteger(maxItems) || (maxItems as number) < 1 || (maxItems as number) > names.length) {
    throw invalid("maxItems must be between 1 and the number of names");
  }
  const oldItems = previous?.items as { names?: unknown[]; enum?: unknown[] } | undefined;
  const ids = (names as string[]).map((name) => {
    const at = oldItems?.names?.indexOf(name) ?? -1;
    const old = at >= 0 ? oldItems?.enum?.[at] : undefined;
    return typeof old === "string" ? old : newOptionId();
  });
  return {
    type: "Selection",
    schema: {
      $schema: SELECTION_META_SCHEMA,
      type: "array",
      uniqueItems: true,
      maxItems,
      items: { names, enum: ids },
    },
  };
}

/** The type of a stored (already normalised) schema. */
export function schemaType(schema: Record<string, unknown>): AttributeType {
  if (schema.type === "array") return "Selection";
  const ref = String(schema.$ref ?? "");
  return (SIMPLE_TYPES.find((t) => ref === COMMON_PREFIX + t) ?? "String") as AttributeType;
}

const NUMBER = /^-?\d+(\.\d{1,5})?$/;
/** Number values must fit an int64 with five implied decimal places: about ±9.2e13. */
const MAX_NUMBER = 92233720368547;
const ADDRESS_FIELDS = new Set(Object.keys(requestSchemas.Address.properties));
const MAX_EMAIL_LENGTH = requestSchemas.CreateCustomerRequest.properties.email_address.maxLength;

/** A calendar date written exactly as YYYY-MM-DD (core's birthday rule, without its MM-DD form). */
function isValidDate(text: string): boolean {
  return normalizeBirthday(text) === text;
}

/** Throws a 400 unless `value` is a valid value for the schema. */
export function checkValue(schema: Record<string, unknown>, value: unknown, field: string): void {
  const type = schemaType(schema);
  const fail = (what: string) =>
    badRequest(
      "INVALID_VALUE",
      `The value does not match the ${type} custom attribute type: ${what}.`,
      field,
    );
  switch (type) {
    case "String":
      if (typeof value !== "string") throw fail("expected a string");
      if (value.length > MAX_STRING_ATTRIBUTE_LENGTH)
        throw fail(`longer than ${MAX_STRING_ATTRIBUTE_LENGTH}`);
      return;
    case "Email":
      if (typeof value !== "string" || !isValidEmailAddress(value) || value.length > MAX_EMAIL_LENGTH) {
        throw fail("expected an email address");
      }
      return;
    case "PhoneNumber":
      // Square stores these in E.164, so unlike a customer's phone_number the leading + is required.
      if (typeof value !== "string" || !value.startsWith("+") || !isValidPhoneNumber(value)) {
        throw fail("expected an E.164 phone number");
      }
      return;
    case "Date":
      if (typeof value !== "string" || !isValidDate(value)) throw fail("expected YYYY-MM-DD");
      return;
    case "Boolean":
      if (typeof value !== "boolean") throw fail("expected true or false");
      return;
    case "Number": {
      const text = typeof value === "number" ? String(value) : value;
      if (typeof text !== "string" || !NUMBER.test(text) || Math.abs(Number(text)) > MAX_NUMBER) {
        throw fail("expected a decimal with up to 5 decimal places");
      }
      return;
    }
    case "Address": {
      if (value === null || typeof value !== "object" || Array.isArray(value))
        throw fail("expected an object");
      for (const [k, v] of Object.entries(value)) {
        if (!ADDRESS_FIELDS.has(k) || typeof v !== "string") throw fail(`unexpected field ${k}`);
      }
      return;
    }
    case "Selection": {
      const items = schema.items as { enum: string[] };
      const max = schema.maxItems as number;
      if (!Array.isArray(value) || value.length > max || new Set(value).size !== value.length) {
        throw fail(`expected up to ${max} distinct option ids`);
      }
      for (const v of value)
        if (typeof v !== "string" || !items.enum.includes(v)) throw fail("unknown option id");
      return;
    }
  }
}

/**
 * A search filter on one attribute, prepared for the SQL function that checks each stored value:
 * Selection names are already turned into option ids, time bounds into epoch milliseconds.
 */
export interface PreparedAttributeFilter {
  type: AttributeType;
  filter?: Record<string, unknown>;
  selectionAny?: string[];
  selectionAll?: string[];
  updatedFrom?: number;
  updatedTo?: number;
}

function inRange(value: number, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || value >= start) && (end === undefined || value <= end);
}

function num(text: unknown): number | undefined {
  if (text == null) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** Does a stored attribute (its JSON) match the prepared filter? Sub-filters of other types never match. */
export function attributeMatches(
  attribute: { value: unknown; updated_at: string },
  spec: PreparedAttributeFilter,
) {
  const updated = parseRfc3339(attribute.updated_at) ?? 0;
  if (!inRange(updated, spec.updatedFrom, spec.updatedTo)) return false;
  const f = spec.filter ?? {};
  const v = attribute.value;
  for (const [kind, cond] of Object.entries(f)) {
    if (cond == null) continue;
    switch (kind) {
      case "text":
        if (spec.type !== "String" || !textFilterMatch("text", v, cond as object)) return false;
        break;
      case "email":
        if (spec.type !== "Email" || !textFilterMatch("email", v, cond as object)) return false;
        break;
      case "phone":
        if (spec.type !== "PhoneNumber" || !textFilterMatch("phone", v, cond as object)) return false;
        break;
      case "boolean":
        if (spec.type !== "Boolean" || v !== cond) return false;
        break;
      case "number": {
        const n = num(v);
        const range = cond as { start_at?: string | null; end_at?: string | null };
        if (
          spec.type !== "Number" ||
          n === undefined ||
          !inRange(n, num(range.start_at), num(range.end_at))
        ) {
          return false;
        }
        break;
      }
      case "date": {
        const range = cond as { start_at?: string | null; end_at?: string | null };
        // Dates compare as YYYY-MM-DD text; an RFC 3339 bound is cut to its date part.
        const start = range.start_at?.slice(0, 10);
        const end = range.end_at?.slice(0, 10);
        if (spec.type !== "Date" || typeof v !== "string") return false;
        if ((start != null && v < start) || (end != null && v > end)) return false;
        break;
      }
      case "address": {
        const a = cond as {
          postal_code?: { exact?: string | null; fuzzy?: string | null } | null;
          country?: string;
        };
        const addr = v as Record<string, unknown> | null;
        if (spec.type !== "Address" || addr === null || typeof addr !== "object") return false;
        if (a.postal_code != null && !textFilterMatch("text", addr.postal_code, a.postal_code)) return false;
        if (a.country != null && addr.country !== a.country) return false;
        break;
      }
      case "selection": {
        if (spec.type !== "Selection" || !Array.isArray(v)) return false;
        if (spec.selectionAll !== undefined && !spec.selectionAll.every((id) => v.includes(id))) return false;
        if (spec.selectionAny !== undefined && !spec.selectionAny.some((id) => v.includes(id))) return false;
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

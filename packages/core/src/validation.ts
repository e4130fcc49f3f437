// Pre-flight request validation: everything the spec (and its prose, see tools/codegen/src/prose-facts.ts)
// says about a request that can be checked without asking Square. The clients run it before sending; the
// emulator runs it on what it receives and answers each issue as a 400 with the issue's code and field.
import type { ErrorCode } from "./generated/models.js";
import { operations } from "./generated/operations.js";
import { requestSchemas } from "./generated/schemas.js";
import type { OperationDefinition, QueryParamDefinition } from "./operation-definition.js";
import type { SchemaNode } from "./schema-node.js";
import type { OperationName } from "./types.js";

/** One problem with a request: where (a dotted path in wire names), Square's error code, and why. */
export interface ValidationIssue {
  readonly field: string;
  readonly code: ErrorCode;
  readonly message: string;
}

type Issues = ValidationIssue[];

/** Checks path arguments and the body or query of a call. An empty array means the request may be sent. */
export function validateRequest(
  name: OperationName,
  pathArgs: readonly unknown[],
  input?: unknown,
): ValidationIssue[] {
  const op: OperationDefinition = operations[name];
  const issues: Issues = [];
  op.pathParams.forEach((param, i) => {
    const value = pathArgs[i];
    if (typeof value !== "string" || value.trim() === "") {
      issues.push({
        field: param,
        code: "MISSING_REQUIRED_PARAMETER",
        message: `${param} must be a non-empty string`,
      });
    }
  });
  if (op.body !== null) {
    checkNode({ ref: op.body }, input ?? {}, "", issues);
  } else {
    checkQuery(op, input ?? {}, issues);
  }
  return issues;
}

/**
 * Reads query parameters as they arrive over HTTP (strings) into typed values, reporting parameters that
 * are unknown or not of their type. Run `validateRequest` on the result for ranges and enums.
 */
export function parseQuery(
  name: OperationName,
  entries: Iterable<readonly [string, string]>,
): { query: Record<string, string | number | boolean>; issues: ValidationIssue[] } {
  const defs = (operations[name] as OperationDefinition).query;
  const query: Record<string, string | number | boolean> = {};
  const issues: Issues = [];
  for (const [key, raw] of entries) {
    const def = defs[key];
    if (!def) {
      issues.push({ field: key, code: "UNKNOWN_QUERY_PARAMETER", message: `unknown query parameter ${key}` });
    } else if (def.type === "integer" || def.type === "number") {
      if (
        /^-?\d+$/.test(raw) ||
        (def.type === "number" && Number.isFinite(Number(raw)) && raw.trim() !== "")
      ) {
        query[key] = Number(raw);
      } else {
        issues.push({ field: key, code: "EXPECTED_INTEGER", message: `${key} must be an integer` });
      }
    } else if (def.type === "boolean") {
      if (raw === "true" || raw === "false") query[key] = raw === "true";
      else issues.push({ field: key, code: "EXPECTED_BOOLEAN", message: `${key} must be true or false` });
    } else {
      query[key] = raw;
    }
  }
  return { query, issues };
}

function checkQuery(op: OperationDefinition, input: unknown, issues: Issues): void {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    issues.push({ field: "", code: "EXPECTED_OBJECT", message: "query parameters must be an object" });
    return;
  }
  const values = input as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const def = op.query[key];
    if (!def)
      issues.push({ field: key, code: "UNKNOWN_QUERY_PARAMETER", message: `unknown query parameter ${key}` });
    else checkNode(queryNode(def), value, key, issues);
  }
  for (const [key, def] of Object.entries(op.query)) {
    if (def.required && values[key] === undefined) {
      issues.push({ field: key, code: "MISSING_REQUIRED_PARAMETER", message: `${key} is required` });
    }
  }
}

function queryNode(def: QueryParamDefinition): SchemaNode {
  return {
    type: def.type,
    ...(def.enum ? { enum: def.enum } : {}),
    ...(def.min !== undefined ? { minimum: def.min } : {}),
    ...(def.max !== undefined ? { maximum: def.max } : {}),
  };
}

// ── the schema walk ────────────────────────────────────────────────────────────────────────────────

const schemas: Readonly<Record<string, SchemaNode>> = requestSchemas;

const EXPECTED: Record<NonNullable<SchemaNode["type"]>, ErrorCode> = {
  string: "EXPECTED_STRING",
  integer: "EXPECTED_INTEGER",
  number: "EXPECTED_FLOAT",
  boolean: "EXPECTED_BOOLEAN",
  array: "EXPECTED_ARRAY",
  object: "EXPECTED_OBJECT",
};

function checkNode(node: SchemaNode, value: unknown, field: string, issues: Issues): void {
  const schemaName = node.ref;
  const schema = schemaName ? schemas[schemaName] : node;
  if (!schema) return; // a reference to a response-only schema: nothing to check
  if (value === null) {
    if (!node.nullable && !schema.nullable && schema.type) {
      issues.push({
        field: label(field),
        code: EXPECTED[schema.type],
        message: `${label(field)} must not be null`,
      });
    }
    return;
  }
  if (!checkType(schema, value, field, issues)) return;
  if (schema.type === "string") checkString(schema, value as string, field, issues);
  if (schema.type === "integer" || schema.type === "number")
    checkNumber(schema, value as number, field, issues);
  if (schema.type === "array") checkArray(schema, value as unknown[], field, issues);
  if (schema.type === "object") checkObject(schema, value as Record<string, unknown>, field, issues);
  const rule = schemaName ? schemaRules[schemaName] : undefined;
  if (rule) rule(value as Record<string, unknown>, field, issues);
}

function checkType(schema: SchemaNode, value: unknown, field: string, issues: Issues): boolean {
  const ok = (() => {
    switch (schema.type) {
      case "string":
        return typeof value === "string";
      case "integer":
        return Number.isInteger(value);
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "boolean":
        return typeof value === "boolean";
      case "array":
        return Array.isArray(value);
      case "object":
        return typeof value === "object" && value !== null && !Array.isArray(value);
      default:
        return true;
    }
  })();
  if (!ok && schema.type) {
    issues.push({
      field: label(field),
      code: EXPECTED[schema.type],
      message: `${label(field)} must be ${article(schema.type)}`,
    });
  }
  return ok;
}

function checkString(schema: SchemaNode, value: string, field: string, issues: Issues): void {
  const length = [...value].length; // characters, not UTF-16 units
  if (schema.enum && !schema.enum.includes(value)) {
    issues.push({
      field,
      code: "INVALID_ENUM_VALUE",
      message: `${field} must be one of ${schema.enum.slice(0, 10).join(", ")}${schema.enum.length > 10 ? ", …" : ""}`,
    });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    issues.push({
      field,
      code: "VALUE_TOO_SHORT",
      message: `${field} must be at least ${schema.minLength} characters`,
    });
  }
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    issues.push({
      field,
      code: "VALUE_TOO_LONG",
      message: `${field} must be at most ${schema.maxLength} characters`,
    });
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
    issues.push({
      field,
      code: "VALUE_REGEX_MISMATCH",
      message: `${field} does not match ${schema.pattern}`,
    });
  }
}

function checkNumber(schema: SchemaNode, value: number, field: string, issues: Issues): void {
  if (schema.minimum !== undefined && value < schema.minimum) {
    issues.push({ field, code: "VALUE_TOO_LOW", message: `${field} must be at least ${schema.minimum}` });
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    issues.push({ field, code: "VALUE_TOO_HIGH", message: `${field} must be at most ${schema.maximum}` });
  }
}

function checkArray(schema: SchemaNode, value: unknown[], field: string, issues: Issues): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    const code = value.length === 0 ? "ARRAY_EMPTY" : "ARRAY_LENGTH_TOO_SHORT";
    issues.push({ field, code, message: `${field} must have at least ${schema.minItems} item(s)` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    issues.push({
      field,
      code: "ARRAY_LENGTH_TOO_LONG",
      message: `${field} must have at most ${schema.maxItems} items`,
    });
  }
  const items = schema.items;
  if (items) {
    value.forEach((item, i) => {
      checkNode(items, item, `${field}[${i}]`, issues);
    });
  }
}

function checkObject(
  schema: SchemaNode,
  value: Record<string, unknown>,
  field: string,
  issues: Issues,
): void {
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) {
      issues.push({
        field: join(field, key),
        code: "MISSING_REQUIRED_PARAMETER",
        message: `${join(field, key)} is required`,
      });
    }
  }
  const keys = Object.keys(value).filter((key) => value[key] !== undefined);
  for (const key of keys) {
    const child = schema.properties?.[key] ?? schema.additionalProperties;
    if (child) checkNode(child, value[key], join(field, key), issues);
  }
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    issues.push({
      field: label(field),
      code: "VALUE_EMPTY",
      message: `${label(field)} must have at least ${schema.minProperties} entr${schema.minProperties === 1 ? "y" : "ies"}`,
    });
  }
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    issues.push({
      field: label(field),
      code: "TOO_MANY_MAP_ENTRIES",
      message: `${label(field)} must have at most ${schema.maxProperties} entries`,
    });
  }
}

// ── rules the spec states in prose, by schema ───────────────────────────────────────────────────────

type Rule = (value: Record<string, unknown>, field: string, issues: Issues) => void;

/** The fields of which a new customer profile needs at least one. */
export const CUSTOMER_IDENTITY_FIELDS = [
  "given_name",
  "family_name",
  "company_name",
  "email_address",
  "phone_number",
] as const;

const atLeastOneIdentityField: Rule = (value, field, issues) => {
  const present = CUSTOMER_IDENTITY_FIELDS.some(
    (key) => typeof value[key] === "string" && value[key].trim() !== "",
  );
  if (!present) {
    issues.push({
      field: label(field),
      code: "MISSING_REQUIRED_PARAMETER",
      message: `at least one of ${CUSTOMER_IDENTITY_FIELDS.join(", ")} is required`,
    });
  }
};

const contactFormats: Rule = (value, field, issues) => {
  const email = value.email_address;
  if (typeof email === "string" && !isValidEmailAddress(email)) {
    issues.push({
      field: join(field, "email_address"),
      code: "INVALID_EMAIL_ADDRESS",
      message: "email_address is not a valid email address",
    });
  }
  const phone = value.phone_number;
  if (typeof phone === "string" && !isValidPhoneNumber(phone)) {
    issues.push({
      field: join(field, "phone_number"),
      code: "INVALID_PHONE_NUMBER",
      message: "phone_number must have 9 to 16 digits, optionally after a leading +",
    });
  }
  const birthday = value.birthday;
  if (typeof birthday === "string" && normalizeBirthday(birthday) === undefined) {
    issues.push({
      field: join(field, "birthday"),
      code: "INVALID_TIME",
      message: "birthday must be YYYY-MM-DD or MM-DD",
    });
  }
};

const exactOrFuzzy: Rule = (value, field, issues) => {
  if (value.exact != null && value.fuzzy != null) {
    issues.push({
      field: label(field),
      code: "CONFLICTING_PARAMETERS",
      message: `${label(field)} takes exact or fuzzy, not both`,
    });
  }
};

const timeRange: Rule = (value, field, issues) => {
  for (const key of ["start_at", "end_at"] as const) {
    const time = value[key];
    if (typeof time === "string" && parseRfc3339(time) === undefined) {
      issues.push({
        field: join(field, key),
        code: "INVALID_TIME",
        message: `${join(field, key)} must be an RFC 3339 timestamp`,
      });
    }
  }
  const start = typeof value.start_at === "string" ? parseRfc3339(value.start_at) : undefined;
  const end = typeof value.end_at === "string" ? parseRfc3339(value.end_at) : undefined;
  if (start !== undefined && end !== undefined && start > end) {
    issues.push({
      field: label(field),
      code: "INVALID_TIME_RANGE",
      message: `${label(field)} starts after it ends`,
    });
  }
};

/** Square's search takes at most this many segment ids across `all`, `any` and `none`. */
export const MAX_SEGMENT_IDS_IN_FILTER = 3;

const segmentIdCount: Rule = (value, field, issues) => {
  const segments = value.segment_ids as { all?: unknown; any?: unknown; none?: unknown } | null | undefined;
  if (!segments || typeof segments !== "object") return;
  const count = [segments.all, segments.any, segments.none].reduce<number>(
    (sum, ids) => sum + (Array.isArray(ids) ? ids.length : 0),
    0,
  );
  if (count > MAX_SEGMENT_IDS_IN_FILTER) {
    issues.push({
      field: join(field, "segment_ids"),
      code: "BAD_REQUEST",
      message: `a search filter may name at most ${MAX_SEGMENT_IDS_IN_FILTER} segment ids`,
    });
  }
};

/** A new definition needs its key and schema; one that sellers can see also needs a name and description. */
const newDefinition: Rule = (value, field, issues) => {
  const definition = value.custom_attribute_definition as Record<string, unknown> | undefined;
  if (!definition || typeof definition !== "object") return;
  const at = join(field, "custom_attribute_definition");
  const visible = definition.visibility != null && definition.visibility !== "VISIBILITY_HIDDEN";
  for (const key of ["key", "schema", ...(visible ? ["name", "description"] : [])]) {
    if (definition[key] == null || definition[key] === "") {
      const why = key === "name" || key === "description" ? " for a definition that is not hidden" : "";
      issues.push({
        field: join(at, key),
        code: "MISSING_REQUIRED_PARAMETER",
        message: `${join(at, key)} is required${why}`,
      });
    }
  }
};

function both(first: Rule, second: Rule): Rule {
  return (value, field, issues) => {
    first(value, field, issues);
    second(value, field, issues);
  };
}

const schemaRules: Record<string, Rule> = {
  CreateCustomerRequest: both(atLeastOneIdentityField, contactFormats),
  BulkCreateCustomerData: both(atLeastOneIdentityField, contactFormats),
  UpdateCustomerRequest: contactFormats,
  BulkUpdateCustomerData: contactFormats,
  CustomerTextFilter: exactOrFuzzy,
  CustomerFilter: segmentIdCount,
  CreateCustomerCustomAttributeDefinitionRequest: newDefinition,
  TimeRange: timeRange,
};

// ── formats ────────────────────────────────────────────────────────────────────────────────────────

/** A plausible email address: something@domain.tld, no spaces. */
export function isValidEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value);
}

/** 9 to 16 digits with an optional leading `+`; spaces, dots, dashes and parentheses are ignored. */
export function isValidPhoneNumber(value: string): boolean {
  return /^\+?\d{9,16}$/.test(value.replace(/[\s().-]/g, ""));
}

/** `YYYY-MM-DD` or `MM-DD` → `YYYY-MM-DD` (year `0000` when none was given); undefined when invalid. */
export function normalizeBirthday(value: string): string | undefined {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const [, year = "0000", month, day] = match;
  const m = Number(month);
  const d = Number(day);
  const leap = year === "0000" || new Date(Date.UTC(Number(year), 1, 29)).getUTCMonth() === 1;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  if (daysInMonth === undefined || d < 1 || d > daysInMonth) return undefined;
  return `${year}-${month}-${day}`;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseRfc3339(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function join(field: string, key: string): string {
  return field === "" ? key : `${field}.${key}`;
}

/** The request body itself has no field name; issues about it are reported as `body`. */
function label(field: string): string {
  return field === "" ? "body" : field;
}

function article(type: string): string {
  return type === "array" || type === "object" || type === "integer" ? `an ${type}` : `a ${type}`;
}

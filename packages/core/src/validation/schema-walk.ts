// The schema walk of pre-flight validation: checks a value against a request-side schema (types, enums,
// lengths, ranges, sizes, required fields), then the rule Square states in prose for that schema, if any.
// The schemas a body refers to and the prose rules come with the walk (`RequestRules`: the generated
// constraint table and square-rules.ts, request-rules.ts); a query parameter's schema is inline.

import type { ErrorCode } from "../generated/models.js";
import { join, label } from "./field-path.js";
import type { ValidationIssue } from "./issue.js";
import type { RequestRules, SchemaNode } from "./schema-node.js";
import { didYouMean } from "./suggest.js";

type Issues = ValidationIssue[];

const EXPECTED: Record<NonNullable<SchemaNode["type"]>, ErrorCode> = {
  string: "EXPECTED_STRING",
  integer: "EXPECTED_INTEGER",
  number: "EXPECTED_FLOAT",
  boolean: "EXPECTED_BOOLEAN",
  array: "EXPECTED_ARRAY",
  object: "EXPECTED_OBJECT",
};

/** No schemas to refer to and no prose rules: what an inline schema (a query parameter's) is checked with. */
export const NO_REQUEST_RULES: RequestRules = { schemas: {}, rules: {}, enumHints: {} };

/** Checks `value` (at `field`) against `node`, adding an issue for each problem. */
export function checkNode(
  node: SchemaNode,
  value: unknown,
  field: string,
  issues: Issues,
  rules: RequestRules,
): void {
  const schemaName = node.ref;
  const schema = schemaName ? rules.schemas[schemaName] : node;
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
  if (schema.type === "string") checkString(schema, value as string, field, issues, schemaName, rules);
  if (schema.type === "integer" || schema.type === "number")
    checkNumber(schema, value as number, field, issues);
  if (schema.type === "array") checkArray(schema, value as unknown[], field, issues, rules);
  if (schema.type === "object") {
    checkObject(schema, value as Record<string, unknown>, field, issues, schemaName, rules);
  }
  const rule = schemaName ? rules.rules[schemaName] : undefined;
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

function checkString(
  schema: SchemaNode,
  value: string,
  field: string,
  issues: Issues,
  schemaName: string | undefined,
  rules: RequestRules,
): void {
  const length = [...value].length; // characters, not UTF-16 units
  if (schema.enum && !schema.enum.includes(value)) {
    issues.push({
      field,
      code: "INVALID_ENUM_VALUE",
      message: enumMessage(
        field,
        value,
        schema.enum,
        schemaName === undefined ? undefined : rules.enumHints[schemaName],
      ),
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

function checkArray(
  schema: SchemaNode,
  value: unknown[],
  field: string,
  issues: Issues,
  rules: RequestRules,
): void {
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
      checkNode(items, item, `${field}[${i}]`, issues, rules);
    });
  }
}

/**
 * An object: its required fields, each field it has, and its size. A field the schema does not define is
 * refused (**choice**, spec/BEHAVIOUR.md): a typo in a search filter would otherwise widen the search to
 * every customer, and one in an update would change nothing without a word. Objects the spec leaves open
 * are not closed here: maps keyed by the caller (`additionalProperties`) and free-form values (no
 * `properties`: a custom attribute's value, a definition's JSON schema).
 */
function checkObject(
  schema: SchemaNode,
  value: Record<string, unknown>,
  field: string,
  issues: Issues,
  schemaName: string | undefined,
  rules: RequestRules,
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
  const closed = schema.properties !== undefined && schema.additionalProperties === undefined;
  for (const key of keys) {
    const child =
      (schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined) ??
      schema.additionalProperties;
    if (child) checkNode(child, value[key], join(field, key), issues, rules);
    else if (closed) issues.push(unknownField(schema, join(field, key), key, schemaName));
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

/** A field the object's schema does not define, with the defined field it most likely means. */
function unknownField(
  schema: SchemaNode,
  field: string,
  key: string,
  schemaName: string | undefined,
): ValidationIssue {
  const known = Object.keys(schema.properties ?? {});
  const where = schemaName === undefined ? "a known field" : `a field of ${schemaName}`;
  return {
    field,
    code: "UNKNOWN_BODY_PARAMETER",
    message: `${field} is not ${where}${didYouMean(key, known)}`,
  };
}

/**
 * An enum value that is not one of the accepted ones: the value given, then the accepted ones when they
 * are few, or a hint of their form when they are many (a list of 250 country codes helps nobody).
 */
function enumMessage(
  field: string,
  value: string,
  accepted: readonly string[],
  hint: string | undefined,
): string {
  const given = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (hint !== undefined) return `${field} is ${given}, not ${hint}`;
  if (accepted.length <= 10) return `${field} is ${given}, not one of ${accepted.join(", ")}`;
  return `${field} is ${given}, not one of the ${accepted.length} values Square accepts here`;
}

function article(type: string): string {
  return type === "array" || type === "object" || type === "integer" ? `an ${type}` : `a ${type}`;
}

// A sample call for any operation of core's table, made from the table itself and core's request
// schemas, so an operation added to the spec gets one without code here: every path parameter, every
// query parameter and every body field the spec defines (read-only ones aside) is filled in, then what
// core's pre-flight validation refuses is taken out again (two fields that exclude each other, say).
// Values that must have a form the schemas do not state (an email, a date, a custom attribute key) come
// from a short list of hints by field name; an operation that needs a new one fails loudly, never
// silently. Idempotency keys are set here, so both clients send the same body.
import {
  type OperationName,
  operation,
  operations,
  type QueryParamDefinition,
  validateRequest,
} from "@square-customers/core";
import { requestSchemas, type SchemaNode } from "@square-customers/core/tooling";

/** The arguments of one call: path arguments in path order, then the body or query object, if any. */
export interface SampleCall {
  readonly pathArgs: readonly string[];
  readonly input: Record<string, unknown> | undefined;
}

/** Path arguments with characters that must be percent-encoded, so both clients' encoding is compared. */
const PATH_ARG = "id with space/é?#";

/** Values of a form the schemas do not state, by field name. */
const HINTS: Readonly<Record<string, unknown>> = {
  email_address: "ada@example.com",
  phone_number: "+1-415-555-0123",
  birthday: "1990-05-17",
  start_at: "2025-01-01T00:00:00Z",
  end_at: "2025-06-30T23:59:59.999Z",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-02T00:00:00Z",
  key: "tier",
  notification_url: "https://example.com/hooks/square?from=conformance",
  event_types: ["customer.created", "customer.updated"],
  event_type: "customer.created",
  api_version: "2025-08-20",
  // A custom attribute definition's schema is a JSON schema: a reference to one of Square's types.
  schema: {
    $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
  },
  // A query cursor with characters a URL must encode.
  cursor: "cursor a+b/c&d=é",
};

/** The sample call of `name`. */
export function sampleCall(name: OperationName): SampleCall {
  const op = operation(name);
  const pathArgs = op.pathParams.map((param) => `${param}:${PATH_ARG}`);
  const input =
    op.body !== null
      ? (sampleValue({ ref: op.body }, "", name) as Record<string, unknown>)
      : Object.keys(op.query).length > 0
        ? sampleQuery(op.query)
        : undefined;
  if (input !== undefined) prune(name, pathArgs, input);
  return { pathArgs, input };
}

/** Every operation name in core's table. */
export function operationNames(): OperationName[] {
  return Object.keys(operations) as OperationName[];
}

function sampleQuery(defs: Readonly<Record<string, QueryParamDefinition>>): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(defs)) {
    if (def.enum) query[key] = def.enum.at(-1);
    else if (def.type === "integer" || def.type === "number") query[key] = inRange(7, def.min, def.max);
    else if (def.type === "boolean") query[key] = true;
    else query[key] = Object.hasOwn(HINTS, key) ? HINTS[key] : `${key} value`;
  }
  return query;
}

function sampleValue(node: SchemaNode, field: string, operationName: OperationName): unknown {
  const schema: SchemaNode | undefined = node.ref
    ? (requestSchemas as Readonly<Record<string, SchemaNode>>)[node.ref]
    : node;
  if (schema === undefined) return `${field} value`;
  const name = field.split(".").at(-1) ?? "";
  if (Object.hasOwn(HINTS, name) && !(schema.type === "object" && schema.properties)) return HINTS[name];
  if (schema.enum) return schema.enum.at(-1);
  switch (schema.type) {
    case "string":
      if (name === "idempotency_key") return `${operationName}-key`.slice(0, schema.maxLength ?? 45);
      return `${name} value`.slice(0, schema.maxLength ?? 100);
    case "integer":
      return inRange(3, schema.minimum, schema.maximum);
    case "number":
      return inRange(2.5, schema.minimum, schema.maximum);
    case "boolean":
      return true;
    case "array": {
      const count = Math.max(1, schema.minItems ?? 0);
      return Array.from({ length: count }, (_, i) =>
        schema.items ? sampleValue(schema.items, `${field}[${i}]`, operationName) : `item ${i}`,
      );
    }
    case "object":
      return sampleObject(schema, field, operationName);
    default:
      return "any value";
  }
}

function sampleObject(schema: SchemaNode, field: string, operationName: OperationName): object {
  if (schema.additionalProperties) {
    // A map keyed by the caller (bulk entries by key or id): one entry.
    return { "entry-1": sampleValue(schema.additionalProperties, `${field}.entry-1`, operationName) };
  }
  const value: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (child.readOnly) continue;
    value[key] = sampleValue(child, field === "" ? key : `${field}.${key}`, operationName);
  }
  return schema.properties ? value : { note: "free-form" };
}

function inRange(preferred: number, min: number | undefined, max: number | undefined): number {
  return Math.min(max ?? preferred, Math.max(min ?? preferred, preferred));
}

/**
 * Takes out of `input` every field core's validation refuses, until it refuses nothing. A refusal of the
 * request as a whole cannot be mended by taking a field out: that is a sample this file must learn to
 * make (a new hint), and it throws.
 */
function prune(name: OperationName, pathArgs: readonly string[], input: Record<string, unknown>): void {
  for (let round = 0; round < 20; round++) {
    const issues = validateRequest(name, pathArgs, input);
    if (issues.length === 0) return;
    for (const issue of issues) {
      // Two fields that exclude each other (`exact` and `fuzzy`): keep the first.
      const field =
        issue.code === "CONFLICTING_PARAMETERS"
          ? (lastKeyOf(input, issue.field) ?? issue.field)
          : issue.field;
      if (field === "" || field === "body" || !remove(input, field)) {
        throw new Error(`${name}: no sample core accepts (${issue.field}: ${issue.message}); add a hint`);
      }
    }
  }
  throw new Error(`${name}: pruning the sample did not end`);
}

/** `path.key` for the last key of the object at `path`, when there is one. */
function lastKeyOf(root: Record<string, unknown>, path: string): string | undefined {
  let value: unknown = root;
  for (const step of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[step];
  const last = value !== null && typeof value === "object" ? Object.keys(value).at(-1) : undefined;
  return last === undefined ? undefined : `${path}.${last}`;
}

/** Removes the value at a dotted path (`query.filter.email_address`, `filters[0]`); false if none. */
function remove(root: Record<string, unknown>, path: string): boolean {
  const steps = path.split(".").flatMap((step) => step.split(/\[(\d+)\]/).filter((s) => s !== ""));
  let parent: unknown = root;
  for (const step of steps.slice(0, -1)) {
    parent = (parent as Record<string, unknown> | undefined)?.[step];
    if (parent === null || typeof parent !== "object") return false;
  }
  const last = steps.at(-1)!;
  if (Array.isArray(parent)) {
    parent.splice(Number(last), 1);
    return true;
  }
  if (!Object.hasOwn(parent as object, last)) return false;
  delete (parent as Record<string, unknown>)[last];
  return true;
}

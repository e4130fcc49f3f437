// Doc comments for generated fields and query parameters, written from facts only: the spec's keywords
// (type, format, limits, enum, readOnly, nullable, deprecation, release status) and this project's facts
// files (limits stated in prose, date-time fields, sparse updates, fields Square always returns). The
// spec's own descriptions are never used.
import type { FieldPlan, Side } from "./model-plan.ts";
import { type OpenApiDocument, refName, type SchemaObject } from "./openapi.ts";
import type { Limits } from "./prose-facts.ts";

/** An enum with at most this many values lists them; a longer one only says how many it has. */
const LISTED_ENUM_VALUES = 8;

/** The sentences of a model field's doc comment (and `@deprecated` as its own line). */
export function fieldDoc(
  doc: OpenApiDocument,
  field: FieldPlan,
  context: { side: Side; sparse: boolean; limits: Limits | undefined },
): string[] {
  const { schema } = field;
  const sentences = [
    ...valueSentences(doc, schema, field.dateTime, field.acceptsDate),
    ...limitSentences({ ...schemaLimitsOf(schema), ...context.limits }),
    presence(field, context.side, context.sparse),
  ];
  if (schema.readOnly) sentences.push("Read-only: set by Square, ignored in requests.");
  return [...sentences, ...releaseLines(schema)];
}

/** The sentences of a query parameter's doc comment. */
export function queryParamDoc(
  doc: OpenApiDocument,
  schema: SchemaObject,
  limits: { min?: number; max?: number } | undefined,
  required: boolean,
): string[] {
  const sentences = [
    ...valueSentences(doc, schema, false, false),
    ...limitSentences({
      ...schemaLimitsOf(schema),
      ...(limits?.min !== undefined ? { minimum: limits.min } : {}),
      ...(limits?.max !== undefined ? { maximum: limits.max } : {}),
    }),
  ];
  if (schema.default !== undefined) sentences.push(`Default: \`${JSON.stringify(schema.default)}\`.`);
  sentences.push(required ? "Required." : "Optional.");
  return sentences;
}

/** Text width of a doc comment line, so that comments stay within the formatter's line width when indented. */
const DOC_WIDTH = 100;

/**
 * Renders lines as a JSDoc block: sentences run together into paragraphs (an empty line starts a new
 * one), on one line when short enough, else wrapped; `@tag` lines come last, one per line.
 */
export function jsDoc(lines: readonly string[]): string {
  const paragraphs: string[][] = [[]];
  const tags: string[] = [];
  for (const line of lines) {
    if (line.startsWith("@")) tags.push(line);
    else if (line === "") paragraphs.push([]);
    else paragraphs.at(-1)!.push(line);
  }
  const text = paragraphs.filter((p) => p.length > 0).map((p) => p.join(" "));
  if (text.length + tags.length === 0) return "";
  if (text.length + tags.length === 1) {
    const only = text[0] ?? tags[0]!;
    if (only.length <= DOC_WIDTH - 10) return `/** ${only} */\n`;
  }
  const blocks = text.map((p) =>
    wrap(p, DOC_WIDTH - 8)
      .map((l) => ` * ${l}`)
      .join("\n"),
  );
  if (tags.length > 0) {
    blocks.push(
      tags
        .map((t) =>
          wrap(t, DOC_WIDTH - 8)
            .map((l, i) => ` * ${i ? "  " : ""}${l}`)
            .join("\n"),
        )
        .join("\n"),
    );
  }
  return `/**\n${blocks.join("\n *\n")}\n */\n`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

type AllLimits = Limits & { minLength?: number; minimum?: number; maximum?: number; pattern?: string };

function schemaLimitsOf(schema: SchemaObject): AllLimits {
  const out: AllLimits = {};
  if (schema.minLength !== undefined) out.minLength = schema.minLength;
  if (schema.maxLength !== undefined) out.maxLength = schema.maxLength;
  if (schema.minimum !== undefined) out.minimum = schema.minimum;
  if (schema.maximum !== undefined) out.maximum = schema.maximum;
  if (schema.pattern !== undefined) out.pattern = schema.pattern;
  return out;
}

/** What kind of value the field holds, where the type alone does not say it. */
function valueSentences(
  doc: OpenApiDocument,
  schema: SchemaObject,
  dateTime: boolean,
  acceptsDate: boolean,
): string[] {
  if (dateTime) {
    return [
      "An RFC 3339 date and time, such as `2025-05-01T09:30:00Z`.",
      ...(acceptsDate ? ["A `Date` is accepted too and sent as its ISO string."] : []),
    ];
  }
  const target = schema.$ref ? doc.components.schemas[refName(schema.$ref)] : schema;
  if (target?.enum) {
    const name = schema.$ref ? refName(schema.$ref) : undefined;
    if (target.enum.length <= LISTED_ENUM_VALUES) {
      return [`One of ${target.enum.map((v) => `\`${v}\``).join(", ")}.`];
    }
    return [`One of the ${target.enum.length} \`${name}\` values in the spec.`];
  }
  if (schema.$ref) return [];
  if (schema.type === "integer")
    return [schema.format === "int64" ? "Integer (int64 in the spec)." : "Integer."];
  if (schema.type === undefined) return ["Any JSON value."];
  return [];
}

function limitSentences(limits: AllLimits): string[] {
  const out: string[] = [];
  const range = (min: number | undefined, max: number | undefined, unit: string) => {
    if (min !== undefined && max !== undefined) out.push(`${min} to ${max} ${unit}.`);
    else if (max !== undefined) out.push(`At most ${max} ${unit}.`);
    else if (min !== undefined) out.push(`At least ${min} ${min === 1 ? unit.replace(/s$/, "") : unit}.`);
  };
  range(limits.minLength, limits.maxLength, "characters");
  range(limits.minItems, limits.maxItems, "items");
  range(limits.minProperties, limits.maxProperties, "entries");
  if (limits.minimum !== undefined && limits.maximum !== undefined) {
    out.push(`From ${limits.minimum} to ${limits.maximum}.`);
  } else if (limits.minimum !== undefined) out.push(`At least ${limits.minimum}.`);
  else if (limits.maximum !== undefined) out.push(`At most ${limits.maximum}.`);
  if (limits.pattern !== undefined) out.push(`Matches \`${limits.pattern}\`.`);
  return out;
}

/** Whether the field is there (and may be null), from the side's point of view. */
function presence(field: FieldPlan, side: Side, sparse: boolean): string {
  if (side === "response") {
    if (field.required) return field.nullable ? "Always present; may be `null`." : "Always present.";
    return field.nullable ? "May be absent or `null`." : "May be absent.";
  }
  if (field.required) return field.nullable ? "Required; may be `null`." : "Required.";
  if (sparse && field.nullable)
    return "Optional: leave it out to keep the current value, send `null` to clear it.";
  return field.nullable ? "Optional; may be `null`." : "Optional.";
}

function releaseLines(schema: SchemaObject): string[] {
  const out: string[] = [];
  if (schema["x-release-status"] === "BETA") out.push("Beta in the spec: Square may still change it.");
  if (schema.deprecated || schema["x-release-status"] === "DEPRECATED")
    out.push("@deprecated Deprecated by Square.");
  return out;
}

// spec → packages/core/src/generated/{answer,event}-shapes.ts: what Square's answers and webhook events look
// like, as plain data for core's shape check (core/src/shapes/check.ts), which both clients run on every
// successful answer and on every delivery. Two tables, so that a program that only calls the API carries
// the answers' shapes alone: the event table holds the models only webhook events use, and names the
// answer table's models for the rest.
//
// The shapes hold what a client relies on, no more: the JSON type of each field a model defines, which
// fields are always there (the spec's `required`, plus always-returned.json, the same plan core's models
// are typed from), and which may be null. They are forward compatible by construction: fields a model
// does not define are not listed (so any are accepted), enums are plain strings (so a value Square adds
// later passes), and limits such as maxLength are left out (an answer is not a request).
//
// Each field is one string (`"!string"`, `"?[Error]"`, `"{CreateCustomerResponseEntry}"`): the encoding
// core's check reads, written once here (`fieldText`).
import { HEADER, propertyKey } from "./emit.ts";
import { type FieldPlan, ModelPlan } from "./model-plan.ts";
import { eachOperation, type OpenApiDocument, refName, type SchemaObject } from "./openapi.ts";

/** packages/core/src/generated/answer-shapes.ts and event-shapes.ts */
export function generateResponseShapes(doc: OpenApiDocument): Record<string, string> {
  const plan = new ModelPlan(doc);
  for (const answer of answerModels(doc)) {
    if (!plan.answerSide.has(answer)) throw new Error(`${answer}: an answer the plan does not know`);
  }
  const events = [...plan.responseSide].filter((name) => !plan.answerSide.has(name));
  return {
    "answer-shapes.ts": table(
      plan,
      [...plan.answerSide],
      "answerShapes",
      "Every model Square answers with (answers and the objects inside them), by spec name; `…Entry` is an\n" +
        " * answer as one entry of a bulk answer (every field optional).",
    ),
    "event-shapes.ts": table(
      plan,
      events,
      "eventShapes",
      "The models only webhook events hold, by spec name: the events and the objects inside them that no\n" +
        " * answer holds (the others are in `answerShapes`).",
    ),
  };
}

function table(plan: ModelPlan, models: readonly string[], name: string, doc: string): string {
  const entries: string[] = [];
  for (const model of [...models].sort()) {
    const schema = plan.schema(model);
    if (schema.enum) continue; // an enum is a string wherever it is used
    if (FIELD_KINDS.has(model)) throw new Error(`${model}: a model may not be named like a field kind`);
    const fields = plan.fields(model, "response");
    entries.push(`${propertyKey(model)}: ${shape(plan, model, fields, false)},`);
    // An answer that is also one entry of a bulk answer: there, an entry that failed holds only its errors.
    if (plan.nestedAnswers.has(model)) {
      entries.push(`${propertyKey(entryName(model))}: ${shape(plan, model, fields, true)},`);
    }
  }
  return [
    HEADER,
    'import type { ShapeTable } from "../shapes/check.js";\n',
    "/**",
    ` * ${doc}`,
    " * Each field's type is written as core's check reads it (see `Shape` in shapes/check.ts).",
    " */",
    `export const ${name}: ShapeTable = {\n${entries.join("\n")}\n};\n`,
  ].join("\n");
}

/** The models operations answer with. */
function answerModels(doc: OpenApiDocument): Set<string> {
  const answers = new Set<string>();
  for (const { operation } of eachOperation(doc)) {
    const ref = operation.responses["200"]?.content?.["application/json"].schema.$ref;
    if (ref) answers.add(refName(ref));
  }
  return answers;
}

/** The field types that are not model names. */
const FIELD_KINDS = new Set(["string", "integer", "number", "boolean", "object", "unknown"]);

function entryName(name: string): string {
  return `${name}Entry`;
}

function shape(plan: ModelPlan, model: string, fields: FieldPlan[], allOptional: boolean): string {
  const entries = fields.map((field) => {
    const text = fieldText(fieldType(plan, model, field.schema), {
      required: field.required && !allOptional,
      nullable: field.nullable,
    });
    return `${propertyKey(field.name)}: ${JSON.stringify(text)}`;
  });
  return `{ ${entries.join(", ")} }`;
}

/**
 * A field as one string: `!` when Square always sends it, `?` when it may be null, then its type: a JSON
 * type, `unknown`, a model's name, `[type]` (an array) or `{type}` (a map).
 */
function fieldText(type: FieldType, flags: { required: boolean; nullable: boolean }): string {
  return `${flags.required ? "!" : ""}${flags.nullable ? "?" : ""}${typeText(type)}`;
}

function typeText(type: FieldType): string {
  if (typeof type === "string") return type;
  return Array.isArray(type) ? `[${typeText(type[0])}]` : `{${typeText((type as { "*": FieldType })["*"])}}`;
}

type FieldType = string | [FieldType] | { "*": FieldType };

function fieldType(plan: ModelPlan, model: string, schema: SchemaObject): FieldType {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (plan.schema(name).enum) return "string";
    return plan.nestedAnswers.has(name) ? entryName(name) : name;
  }
  if (schema.enum) return "string";
  const element = (child: SchemaObject | undefined): FieldType => {
    if (child?.nullable) throw new Error(`${model}: nullable array items and map values are not supported`);
    return child ? fieldType(plan, model, child) : "unknown";
  };
  switch (schema.type) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return schema.type;
    case "array":
      return [element(schema.items)];
    case "object":
      if (schema.properties) throw new Error(`${model}: inline objects are not supported`);
      return typeof schema.additionalProperties === "object"
        ? { "*": element(schema.additionalProperties) }
        : "object";
    default:
      return "unknown";
  }
}

// spec → packages/core/src/generated/shapes.ts: what Square's answers and webhook events look like, as
// plain data for core's response check (core/src/response-check.ts), which both clients run on every
// successful answer and on every delivery.
//
// The shapes hold what a client relies on, no more: the JSON type of each field a model defines, which
// fields are always there (the spec's `required`, plus always-returned.json, the same plan core's models
// are typed from), and which may be null. They are forward compatible by construction: fields a model
// does not define are not listed (so any are accepted), enums are plain strings (so a value Square adds
// later passes), and limits such as maxLength are left out (an answer is not a request).
import { HEADER, propertyKey } from "./generate-core.ts";
import { type FieldPlan, ModelPlan } from "./model-plan.ts";
import { eachOperation, type OpenApiDocument, refName, type SchemaObject } from "./openapi.ts";

/** packages/core/src/generated/shapes.ts */
export function generateResponseShapes(doc: OpenApiDocument): string {
  const plan = new ModelPlan(doc);
  const entries: string[] = [];
  for (const name of [...plan.responseSide].sort()) {
    const schema = plan.schema(name);
    if (schema.enum) continue; // an enum is a string wherever it is used
    if (FIELD_KINDS.has(name)) throw new Error(`${name}: a model may not be named like a field kind`);
    entries.push(`${propertyKey(name)}: ${shape(plan, name, plan.fields(name, "response"), false)},`);
    // An answer that is also one entry of a bulk answer: there, an entry that failed holds only its errors.
    if (plan.nestedAnswers.has(name)) {
      entries.push(
        `${propertyKey(entryName(name))}: ${shape(plan, name, plan.fields(name, "response"), true)},`,
      );
    }
  }
  const answers = new Set<string>();
  for (const { operation } of eachOperation(doc)) {
    const ref = operation.responses["200"]?.content?.["application/json"].schema.$ref;
    if (ref) answers.add(refName(ref));
  }
  for (const answer of answers) {
    if (!plan.responseSide.has(answer)) throw new Error(`${answer}: an answer the plan does not know`);
  }
  return [
    HEADER,
    'import type { Shape } from "../response-check.js";\n',
    "/**",
    " * Every model Square sends (answers, the objects inside them, webhook events), by spec name; `…Entry` is",
    " * an answer as one entry of a bulk answer (every field optional). Field types: a JSON type, `unknown`",
    ' * (any value), another model\'s name, `[type]` for an array, `{ "*": type }` for a map.',
    " */",
    `export const shapes = {\n${entries.join("\n")}\n} as const satisfies Record<string, Shape>;\n`,
    `/** The names of the models in \`shapes\`. */\nexport type ShapeName = keyof typeof shapes;\n`,
  ].join("\n");
}

/** The field types that are not model names. */
const FIELD_KINDS = new Set(["string", "integer", "number", "boolean", "object", "unknown"]);

function entryName(name: string): string {
  return `${name}Entry`;
}

function shape(plan: ModelPlan, model: string, fields: FieldPlan[], allOptional: boolean): string {
  const types = fields.map(
    (f) => `${propertyKey(f.name)}: ${JSON.stringify(fieldType(plan, model, f.schema))}`,
  );
  const required = allOptional ? [] : fields.filter((f) => f.required).map((f) => f.name);
  const nullable = fields.filter((f) => f.nullable).map((f) => f.name);
  const parts = [`fields: { ${types.join(", ")} }`];
  if (required.length > 0) parts.push(`required: ${JSON.stringify(required)}`);
  if (nullable.length > 0) parts.push(`nullable: ${JSON.stringify(nullable)}`);
  return `{ ${parts.join(", ")} }`;
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

// spec → packages/client-effect/src/generated/schemas.ts: one Effect `Schema` per spec model.
//
// The schemas check shapes only (types, required keys, nullability). Limits such as maxLength are left to
// core's pre-flight validation: a response that breaks a request limit is still a valid answer. Enums
// are typed as core's literal unions but accept any string when decoding: Square adds values over time
// (error codes, creation sources, card brands). A newer value must not make a whole response undecodable.
// The values themselves are not repeated here: the type comes from core, and decoding needs no list.
// Each decoded type must equal core's model (client-effect's type test proves it), so keys and arrays
// are mutable and optional keys are exact (`?:`, never `| undefined`), like core's generated interfaces.
//
// The forms and required keys come from the same plan as core's models (model-plan.ts): a model Square
// both receives and returns has a `…Input` schema too, and an answer model that is also a bulk entry has
// an unexported entry schema with every key optional (core's `Partial<…>`).

import { HEADER, propertyKey } from "./emit.ts";
import { effectEventSchemas } from "./events.ts";
import { type FieldPlan, type ModelForm, ModelPlan, refsOf, type Side, typeName } from "./model-plan.ts";
import { eachOperation, type OpenApiDocument, refName, type SchemaObject } from "./openapi.ts";

/** Output file name (in packages/client-effect/src/generated/) → source. */
export function generateEffectSchemas(doc: OpenApiDocument): string {
  const plan = new ModelPlan(doc);
  const forms = plan.forms();
  const out = [HEADER, PRELUDE];
  for (const name of dependencyOrder(doc)) {
    for (const form of forms.filter((f) => f.spec === name)) {
      out.push(`export const ${form.name} = ${formExpression(plan, form, false)};\n`);
    }
    if (plan.nestedAnswers.has(name)) {
      out.push(
        `/** \`${name}\` as one entry of a bulk answer: an entry that failed holds only its \`errors\`. */`,
      );
      out.push(
        `const ${entryName(name)} = ${formExpression(plan, { name, spec: name, side: "response" }, true)};\n`,
      );
    }
  }

  // Every answer's schema by model name, for callers who decode answers themselves. The client checks
  // answers with core's rule (`shapeProblem`), which these schemas agree with (a client-effect test).
  const responses = new Set<string>();
  for (const { operation } of eachOperation(doc)) {
    const ref = operation.responses["200"]?.content?.["application/json"].schema.$ref;
    if (ref) responses.add(refName(ref));
  }
  out.push("/** The schema of every operation's response, by model name. */");
  out.push(
    `export const responses = {\n${[...responses]
      .sort()
      .map((name) => `${name}: ${typeName(name)},`)
      .join("\n")}\n} as const;\n`,
  );
  out.push(effectEventSchemas(doc));
  return out.join("\n");
}

const PRELUDE = `import type * as Core from "@square-customers/core";
import * as Schema from "effect/Schema";

// Building blocks shared by every model below.

/** Any JSON object key, any value: lets an object keep the fields a newer Square version adds. */
const unknownFields = [Schema.Record(Schema.String, Schema.Unknown)] as const;

/**
 * An object with the given fields that keeps every other field it is given, so data from a newer
 * Square-Version survives a decode/encode round trip. Typed as the plain struct: extra fields are not
 * part of the model's type.
 */
function model<const Fields extends Schema.Struct.Fields>(
  fields: Fields,
): Schema.Codec<Schema.Struct<Fields>["Type"], Schema.Struct<Fields>["Encoded"]> {
  // StructWithRest's type adds an index signature; dropping it widens the type, which is sound.
  return Schema.StructWithRest(Schema.Struct(fields), unknownFields) as never;
}

/** A required, mutable key. */
const required = <S extends Schema.Top>(schema: S) => Schema.mutableKey(schema);
/** An optional (absent, never \`undefined\`), mutable key. */
const optional = <S extends Schema.Top>(schema: S) => Schema.mutableKey(Schema.optionalKey(schema));
/** A mutable array. */
const array = <S extends Schema.Top>(item: S) => Schema.mutable(Schema.Array(item));
/** A map from string keys to values, with mutable entries. */
const record = <S extends Schema.Top>(value: S) => Schema.Record(Schema.String, Schema.mutableKey(value));

/**
 * One of core's enum values by type; any string when decoding, so a value Square added after this
 * package was generated passes through instead of failing the whole response.
 */
const openEnum = <Value extends string>(): Schema.Codec<Value> => Schema.String as never;

/** A date-time field of a request: an RFC 3339 string, or a \`Date\` that core sends as its ISO string. */
const dateTimeInput = Schema.Union([Schema.String, Schema.Date]);
`;

function entryName(spec: string): string {
  return `${typeName(spec)}Entry`;
}

function formExpression(plan: ModelPlan, form: ModelForm, allOptional: boolean): string {
  const schema = plan.schema(form.spec);
  if (schema.enum) return `openEnum<Core.${form.name}>()`;
  if (!schema.properties)
    throw new Error(`${form.spec}: only objects with properties and enums are supported`);
  if (schema.additionalProperties) {
    throw new Error(`${form.spec}: objects with both properties and additionalProperties are not supported`);
  }
  const fields = plan.fields(form.spec, form.side).map((field) => {
    const required = field.required && !allOptional;
    return `${propertyKey(field.name)}: ${required ? "required" : "optional"}(${fieldExpression(plan, field, form.side)}),`;
  });
  return `model({\n${fields.join("\n")}\n})`;
}

function fieldExpression(plan: ModelPlan, field: FieldPlan, side: Side): string {
  const base = field.acceptsDate ? "dateTimeInput" : baseExpression(plan, field.schema, side);
  return field.nullable && base !== "Schema.Unknown" ? `Schema.NullOr(${base})` : base;
}

function schemaExpression(plan: ModelPlan, schema: SchemaObject, side: Side): string {
  const base = baseExpression(plan, schema, side);
  // An untyped value already admits null.
  return schema.nullable && base !== "Schema.Unknown" ? `Schema.NullOr(${base})` : base;
}

function baseExpression(plan: ModelPlan, schema: SchemaObject, side: Side): string {
  if (schema.$ref) {
    const ref = plan.refType(refName(schema.$ref), side);
    return ref.nestedAnswer ? entryName(refName(schema.$ref)) : ref.name;
  }
  if (schema.enum) throw new Error("inline enums are not supported: the spec names every enum");
  switch (schema.type) {
    case "string":
      return "Schema.String";
    case "integer":
      return "Schema.Int";
    case "number":
      return "Schema.Number";
    case "boolean":
      return "Schema.Boolean";
    case "array":
      return `array(${schema.items ? schemaExpression(plan, schema.items, side) : "Schema.Unknown"})`;
    case "object": {
      if (schema.properties) throw new Error("inline objects are not supported: the spec names every object");
      const extra = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
      return `record(${extra ? schemaExpression(plan, extra, side) : "Schema.Unknown"})`;
    }
    default:
      return "Schema.Unknown";
  }
}

/** Schema names, each after the schemas it refers to (the spec has no cycles; one would be an error). */
function dependencyOrder(doc: OpenApiDocument): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting")
      throw new Error(`schemas refer to each other: ${[...path, name].join(" → ")}`);
    state.set(name, "visiting");
    const schema = doc.components.schemas[name];
    if (!schema) throw new Error(`${path.at(-1)} refers to unknown schema ${name}`);
    for (const ref of refsOf(schema)) visit(ref, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of Object.keys(doc.components.schemas).sort()) visit(name, []);
  return order;
}

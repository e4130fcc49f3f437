// spec → packages/client-effect/src/generated/schemas.ts: one Effect `Schema` per spec model.
//
// The schemas check shapes only (types, required keys, nullability). Limits such as maxLength are left to
// core's pre-flight validation: a response that breaks a request limit is still a valid answer. Enums
// are typed as core's literal unions but accept any string when decoding: Square adds values over time
// (error codes, creation sources, card brands). A newer value must not make a whole response undecodable.
// The values themselves are not repeated here: the type comes from core, and decoding needs no list.
// Each decoded type must equal core's model (client-effect's type test proves it), so keys and arrays
// are mutable and optional keys are exact (`?:`, never `| undefined`), like core's generated interfaces.
import { HEADER, typeName } from "./generate-core.ts";
import { eachOperation, type OpenApiDocument, refName, type SchemaObject } from "./openapi.ts";

/** Output file name (in packages/client-effect/src/generated/) → source. */
export function generateEffectSchemas(doc: OpenApiDocument): Record<string, string> {
  const schemas = doc.components.schemas;
  const out = [HEADER, PRELUDE];
  for (const name of dependencyOrder(doc)) {
    const schema = schemas[name]!;
    out.push(`export const ${typeName(name)} = ${schemaExpression(schema, name)};\n`);
  }

  // The client decodes responses only, so it looks schemas up here; request-only schemas stay out of
  // bundles that never name them.
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
  return { "schemas.ts": out.join("\n") };
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
`;

function schemaExpression(schema: SchemaObject, context: string): string {
  const base = baseExpression(schema, context);
  // An untyped value already admits null.
  return schema.nullable && base !== "Schema.Unknown" ? `Schema.NullOr(${base})` : base;
}

function baseExpression(schema: SchemaObject, context: string): string {
  if (schema.$ref) return typeName(refName(schema.$ref));
  if (schema.enum) {
    // Every enum in the spec is a named schema, so core has a type of that name.
    if (!/^\w+$/.test(context)) throw new Error(`${context}: inline enums are not supported`);
    return `openEnum<Core.${typeName(context)}>()`;
  }
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
      return `array(${schema.items ? schemaExpression(schema.items, `${context}[]`) : "Schema.Unknown"})`;
    case "object": {
      const extra = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
      if (schema.properties) {
        if (extra)
          throw new Error(
            `${context}: objects with both properties and additionalProperties are not supported`,
          );
        return objectExpression(schema, context);
      }
      return `record(${extra ? schemaExpression(extra, `${context}{}`) : "Schema.Unknown"})`;
    }
    default:
      return "Schema.Unknown";
  }
}

function objectExpression(schema: SchemaObject, context: string): string {
  const requiredKeys = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([prop, child]) => {
    const key = /^[a-z_][a-z0-9_]*$/i.test(prop) ? prop : JSON.stringify(prop);
    const value = schemaExpression(child, `${context}.${prop}`);
    return `${key}: ${requiredKeys.has(prop) ? "required" : "optional"}(${value}),`;
  });
  return `model({\n${fields.join("\n")}\n})`;
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

function refsOf(schema: SchemaObject): string[] {
  if (schema.$ref) return [refName(schema.$ref)];
  return [
    ...Object.values(schema.properties ?? {}).flatMap(refsOf),
    ...(schema.items ? refsOf(schema.items) : []),
    ...(typeof schema.additionalProperties === "object" ? refsOf(schema.additionalProperties) : []),
  ].sort();
}

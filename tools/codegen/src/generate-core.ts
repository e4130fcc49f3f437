// spec → packages/core/src/generated/{events,models,parameters,method-names,operations,schemas}.ts
import { HEADER, propertyKey } from "./emit.ts";
import { generateEvents } from "./events.ts";
import { fieldDoc, jsDoc, queryParamDoc } from "./field-docs.ts";
import { type MethodGroup, methodTree } from "./method-names.ts";
import { type FieldPlan, type ModelForm, ModelPlan, type Side, typeName } from "./model-plan.ts";
import {
  camelCase,
  eachOperation,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  refName,
  type SchemaObject,
} from "./openapi.ts";
import { enumValues, queryLimits, safePosts, schemaLimits, sparseUpdates } from "./prose-facts.ts";

export function generateCore(doc: OpenApiDocument): Record<string, string> {
  const plan = new ModelPlan(doc);
  return {
    "events.ts": generateEvents(doc),
    "method-names.ts": generateMethodNames(doc),
    "models.ts": generateModels(doc, plan),
    "operations.ts": generateOperations(doc),
    "parameters.ts": generateParameters(doc),
    "schemas.ts": generateSchemas(doc),
  };
}

// ── models ──────────────────────────────────────────────────────────────────────────────────────────

function generateModels(doc: OpenApiDocument, plan: ModelPlan): string {
  const out = [HEADER];
  const forms = plan.forms();
  for (const form of forms) {
    const schema = plan.schema(form.spec);
    const comment = jsDoc(modelDoc(plan, form));
    if (schema.enum) {
      const values = enumValues(form.spec, schema.enum);
      out.push(`${comment}export type ${form.name} = ${values.map((v) => JSON.stringify(v)).join(" | ")};\n`);
    } else if (schema.type === "object" && schema.properties) {
      // A type alias rather than an interface: models are plain JSON data, and an alias is assignable to
      // `Record<string, unknown>` (an interface is not), as code that handles JSON generically expects.
      out.push(`${comment}export type ${form.name} = ${objectType(doc, plan, form)};\n`);
    } else {
      throw new Error(`${form.spec}: only objects with properties and enums are supported as models`);
    }
  }
  out.push(
    "/** Every model by name: spec names, plus `…Input` for the request form of a model Square also returns. */",
  );
  out.push("export interface Models {\n");
  for (const form of forms) out.push(`  ${isInputForm(plan, form) ? form.name : form.spec}: ${form.name};\n`);
  out.push("}\n");
  return out.join("\n");
}

/** The `…Input` form of a model Square both receives and returns. */
export function isInputForm(plan: ModelPlan, form: ModelForm): boolean {
  return form.side === "request" && plan.split.has(form.spec);
}

function modelDoc(plan: ModelPlan, form: ModelForm): string[] {
  const schema = plan.schema(form.spec);
  const lines: string[] = [];
  if (plan.split.has(form.spec)) {
    lines.push(
      form.side === "response"
        ? `As Square returns it; a request takes \`${typeName(form.spec)}Input\`.`
        : `\`${typeName(form.spec)}\` as a request takes it: fields Square always returns are optional here.`,
    );
  }
  if (schema.readOnly) lines.push("Read-only: set by Square, ignored in requests.");
  if (schema["x-release-status"] === "BETA") lines.push("Beta in the spec: Square may still change it.");
  if (schema.deprecated || schema["x-release-status"] === "DEPRECATED")
    lines.push("@deprecated Deprecated by Square.");
  return lines;
}

function objectType(doc: OpenApiDocument, plan: ModelPlan, form: ModelForm): string {
  const schema = plan.schema(form.spec);
  const members = plan.fields(form.spec, form.side).map((field) => {
    const lines = fieldDoc(doc, field, {
      side: form.side,
      sparse: sparseUpdates.has(form.spec),
      limits: schemaLimits[form.spec]?.[field.name],
    });
    const nested = nestedAnswerNote(plan, field, form.side);
    if (nested) lines.unshift(nested);
    return `${jsDoc(lines)}${propertyKey(field.name)}${field.required ? "" : "?"}: ${fieldType(plan, field, form.side)};`;
  });
  if (typeof schema.additionalProperties === "object") {
    members.push(`[key: string]: ${tsType(plan, schema.additionalProperties, form.side)};`);
  }
  return `{\n${members.join("\n")}\n}`;
}

/** A map of bulk entries says that an entry may hold errors instead of its result. */
function nestedAnswerNote(plan: ModelPlan, field: FieldPlan, side: Side): string | undefined {
  const value =
    typeof field.schema.additionalProperties === "object" ? field.schema.additionalProperties : undefined;
  if (!value?.$ref || !plan.refType(refName(value.$ref), side).nestedAnswer) return undefined;
  return "One entry per item of the request; an entry that failed holds only its `errors`.";
}

function fieldType(plan: ModelPlan, field: FieldPlan, side: Side): string {
  const base = field.acceptsDate ? "string | Date" : baseType(plan, field.schema, side);
  return field.nullable ? `${base} | null` : base;
}

function tsType(plan: ModelPlan, schema: SchemaObject, side: Side): string {
  const base = baseType(plan, schema, side);
  return schema.nullable ? `${base} | null` : base;
}

function baseType(plan: ModelPlan, schema: SchemaObject, side: Side): string {
  if (schema.$ref) {
    const ref = plan.refType(refName(schema.$ref), side);
    return ref.nestedAnswer ? `Partial<${ref.name}>` : ref.name;
  }
  if (schema.enum) throw new Error("inline enums are not supported: the spec names every enum");
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number"; // int64 included: Square's values fit in a double.
    case "boolean":
      return "boolean";
    case "array":
      return `Array<${schema.items ? tsType(plan, schema.items, side) : "unknown"}>`;
    case "object":
      if (schema.properties) throw new Error("inline objects are not supported: the spec names every object");
      if (typeof schema.additionalProperties === "object") {
        return `Record<string, ${tsType(plan, schema.additionalProperties, side)}>`;
      }
      return "Record<string, unknown>";
    default:
      return "unknown";
  }
}

// ── operations ──────────────────────────────────────────────────────────────────────────────────────

function generateOperations(doc: OpenApiDocument): string {
  const rows: string[] = [];
  for (const { path, method, operation } of eachOperation(doc)) {
    rows.push(
      `${camelCase(operation.operationId)}: ${JSON.stringify(operationRow(doc, path, method, operation))},`,
    );
  }
  return [
    HEADER,
    'import type { OperationDefinition } from "../table/operation-definition.js";\n',
    "/** Every operation under `/v2/customers`, keyed by name: how to call it, page it and retry it. */",
    `export const operations = {\n${rows.join("\n")}\n} as const satisfies Record<string, OperationDefinition>;\n`,
  ].join("\n");
}

export function operationRow(doc: OpenApiDocument, path: string, method: string, op: OperationObject) {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === "path").map((p) => p.name);
  const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  if (inPath.join() !== pathParams.join()) pathParams.sort((a, b) => inPath.indexOf(a) - inPath.indexOf(b));

  const query: Record<string, Record<string, unknown>> = {};
  for (const p of params.filter((param) => param.in === "query")) {
    const schema = p.schema.$ref ? doc.components.schemas[refName(p.schema.$ref)]! : p.schema;
    const limits = queryLimits[op.operationId]?.[p.name];
    query[p.name] = {
      type: schema.type ?? "string",
      ...(schema.enum ? { enum: schema.enum } : {}),
      ...(schema.minimum !== undefined ? { min: schema.minimum } : {}),
      ...(schema.maximum !== undefined ? { max: schema.maximum } : {}),
      ...(limits ?? {}),
      ...(p.required ? { required: true } : {}),
    };
  }

  const bodyRef = op.requestBody?.content["application/json"].schema.$ref;
  const body = bodyRef ? refName(bodyRef) : null;
  const responseRef = op.responses["200"]?.content?.["application/json"].schema.$ref;
  if (!responseRef) throw new Error(`${op.operationId}: no 200 response schema`);
  const response = refName(responseRef);
  const bodySchema = body ? doc.components.schemas[body] : undefined;
  const hasKeyField = Boolean(bodySchema?.properties?.idempotency_key);

  return {
    operationId: op.operationId,
    method,
    path,
    pathParams,
    query,
    body,
    response,
    paging: paging(doc, response, query, bodySchema),
    retry: retryClass(op, method, hasKeyField),
    idempotencyKey: hasKeyField ? "idempotency_key" : null,
    scope: op.security?.[0]?.oauth2?.[0] ?? null,
    deprecated: op.deprecated === true,
  };
}

/** A list or search pages when it takes a cursor and answers with `cursor` next to one array of items. */
function paging(doc: OpenApiDocument, response: string, query: Record<string, unknown>, body?: SchemaObject) {
  const cursorIn = "cursor" in query ? "query" : body?.properties?.cursor ? "body" : null;
  if (!cursorIn) return null;
  const props = doc.components.schemas[response]!.properties ?? {};
  const arrays = Object.entries(props).filter(([field, s]) => s.type === "array" && field !== "errors");
  if (!props.cursor || arrays.length !== 1)
    throw new Error(`${response}: cannot tell which field holds the items`);
  return { cursor: cursorIn, items: arrays[0]![0] };
}

/**
 * `safe`: repeating the request cannot change the outcome (HTTP-idempotent methods, reads, and the POSTs
 * listed in prose-facts.ts). `with-idempotency-key`: a create that is safe to repeat only with the same
 * `idempotency_key`. `never`: anything else.
 */
function retryClass(
  op: OperationObject,
  method: string,
  hasKeyField: boolean,
): "safe" | "with-idempotency-key" | "never" {
  if (method !== "POST") return "safe";
  if (hasKeyField) return "with-idempotency-key";
  if (safePosts[op.operationId]) return "safe";
  return "never";
}

// ── parameters ──────────────────────────────────────────────────────────────────────────────────────

/** `ListCustomers` → `ListCustomersQuery`: the query parameters of an operation, as one interface. */
export function queryTypeName(operationId: string): string {
  return `${operationId}Query`;
}

/** The query parameters of an operation, if it has any. */
export function queryParams(op: OperationObject): ParameterObject[] {
  return (op.parameters ?? []).filter((p) => p.in === "query");
}

/**
 * Per operation: its path parameters as a labeled tuple, and its query parameters as a named interface
 * with a doc comment per parameter, so signatures read `(customer_id: string, query?: …)`.
 */
function generateParameters(doc: OpenApiDocument): string {
  const queryTypes: string[] = [];
  const pathRows: string[] = [];
  const queryRows: string[] = [];
  const imports = new Set<string>();
  for (const { path, method, operation } of eachOperation(doc)) {
    const name = camelCase(operation.operationId);
    const { pathParams } = operationRow(doc, path, method, operation);
    pathRows.push(`${name}: [${pathParams.map((p) => `${p}: string`).join(", ")}];`);
    const params = queryParams(operation);
    if (params.length === 0) {
      queryRows.push(`${name}: {};`);
      continue;
    }
    const typeName = queryTypeName(operation.operationId);
    if (doc.components.schemas[typeName]) throw new Error(`${typeName} would shadow the spec's schema`);
    const members = params.map((p) => {
      const lines = queryParamDoc(
        doc,
        p.schema,
        queryLimits[operation.operationId]?.[p.name],
        p.required === true,
      );
      const type = p.schema.$ref ? refName(p.schema.$ref) : queryValueType(p.schema);
      if (p.schema.$ref) imports.add(type);
      return `${jsDoc(lines)}${propertyKey(p.name)}${p.required ? "" : "?"}: ${type};`;
    });
    queryTypes.push(
      `/** The query parameters of \`${method} ${path}\`. */\nexport interface ${typeName} {\n${members.join("\n")}\n}\n`,
    );
    queryRows.push(`${name}: ${typeName};`);
  }
  return [
    HEADER,
    imports.size ? `import type { ${[...imports].sort().join(", ")} } from "./models.js";\n` : "",
    ...queryTypes,
    "/** Per operation, its path parameters in path order. */",
    `export interface PathParameters {\n${pathRows.join("\n")}\n}\n`,
    "/** Per operation, its query parameters (`{}` when it takes none). */",
    `export interface QueryParameters {\n${queryRows.join("\n")}\n}\n`,
  ].join("\n");
}

function queryValueType(schema: SchemaObject): string {
  if (schema.type === "integer" || schema.type === "number") return "number";
  if (schema.type === "boolean") return "boolean";
  if (schema.type === "string") return "string";
  throw new Error(`query parameters of type ${schema.type} are not supported`);
}

// ── method names ────────────────────────────────────────────────────────────────────────────────────

/** Core's `methodNames`: the friendly name tree, with core's operation names as leaves. */
function generateMethodNames(doc: OpenApiDocument): string {
  const known = new Set([...eachOperation(doc)].map(({ operation }) => operation.operationId));
  const deprecated = new Set(
    [...eachOperation(doc)]
      .filter(({ operation }) => operation.deprecated)
      .map(({ operation }) => operation.operationId),
  );
  const named = new Set<string>();
  const render = (group: MethodGroup): string => {
    const methods = Object.entries(group.methods).map(([method, operationId]) => {
      if (!known.has(operationId)) throw new Error(`method-names.ts: no operation ${operationId}`);
      if (named.has(operationId)) throw new Error(`method-names.ts: ${operationId} is named twice`);
      named.add(operationId);
      return `${method}: ${JSON.stringify(camelCase(operationId))},`;
    });
    const groups = Object.entries(group.groups ?? {}).map(([key, child]) => {
      const allDeprecated = Object.values(child.methods).every((id) => deprecated.has(id));
      return `${allDeprecated ? "/** @deprecated Square has deprecated these endpoints. */\n" : ""}${key}: ${render(child)},`;
    });
    return `{\n${[...methods, ...groups].join("\n")}\n}`;
  };
  const tree = Object.entries(methodTree).map(([key, group]) => `${key}: ${render(group)},`);
  const missing = [...known].filter((id) => !named.has(id));
  if (missing.length > 0) throw new Error(`method-names.ts: no method for ${missing.join(", ")}`);
  return [
    HEADER,
    'import type { MethodTree } from "../table/method-names.js";\n',
    "/** Friendly method names (tools/codegen/src/method-names.ts) → operation names in `operations`. */",
    `export const methodNames = {\n${tree.join("\n")}\n} as const satisfies MethodTree;\n`,
  ].join("\n");
}

// ── runtime constraint table ────────────────────────────────────────────────────────────────────────

/**
 * The request-side schemas (those reachable from a request body) as plain data with their limits, so
 * that pre-flight validation in core is driven by the spec. Response-only schemas are left out to keep
 * the clients small.
 */
function generateSchemas(doc: OpenApiDocument): string {
  const reachable = new Set<string>();
  const visit = (schema: SchemaObject | undefined) => {
    if (!schema) return;
    if (schema.$ref) {
      const name = refName(schema.$ref);
      if (reachable.has(name)) return;
      reachable.add(name);
      visit(doc.components.schemas[name]);
      return;
    }
    for (const child of Object.values(schema.properties ?? {})) visit(child);
    if (schema.items) visit(schema.items);
    if (typeof schema.additionalProperties === "object") visit(schema.additionalProperties);
  };
  for (const { operation } of eachOperation(doc))
    visit(operation.requestBody?.content["application/json"].schema);

  const entries = [...reachable].sort().map((name) => {
    const node = constraintNode(doc.components.schemas[name]!, schemaLimits[name]);
    return `${name}: ${JSON.stringify(node)},`;
  });
  return [
    HEADER,
    'import type { SchemaNode } from "../validation/schema-node.js";\n',
    "/** Request-side schemas with their constraints, including limits the spec states only in prose. */",
    `export const requestSchemas = {\n${entries.join("\n")}\n} as const satisfies Record<string, SchemaNode>;\n`,
  ].join("\n");
}

function constraintNode(schema: SchemaObject, extra?: Record<string, object>): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  if (schema.$ref) node.ref = refName(schema.$ref);
  else if (schema.type) node.type = schema.type;
  for (const key of ["enum", "minLength", "maxLength", "minimum", "maximum", "pattern"] as const) {
    if (schema[key] !== undefined) node[key] = schema[key];
  }
  if (schema.nullable) node.nullable = true;
  if (schema.readOnly) node.readOnly = true;
  if (schema.items) node.items = constraintNode(schema.items);
  if (schema.properties) {
    node.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([prop, child]) => [
        prop,
        { ...constraintNode(child), ...extra?.[prop] },
      ]),
    );
  }
  if (typeof schema.additionalProperties === "object")
    node.additionalProperties = constraintNode(schema.additionalProperties);
  if (schema.required?.length) node.required = schema.required;
  return node;
}

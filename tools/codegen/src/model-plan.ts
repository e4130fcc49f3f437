// How each spec schema becomes a type: which side of the API uses it, which of its fields are required
// on that side, which accept a `Date`, and which schemas need one form per side. Core's models and the
// Effect schemas are both written from this plan, so they cannot disagree.
import {
  customerEvents,
  eachOperation,
  type OpenApiDocument,
  refName,
  type SchemaObject,
} from "./openapi.ts";
import { alwaysReturned, dateTimeFields } from "./prose-facts.ts";

/** `request`: what a caller sends. `response`: what Square sends back. */
export type Side = "request" | "response";

export interface FieldPlan {
  readonly name: string;
  readonly schema: SchemaObject;
  readonly required: boolean;
  readonly nullable: boolean;
  /** Holds an RFC 3339 date and time. */
  readonly dateTime: boolean;
  /** A writable date-time field of a request: a `Date` is accepted too. */
  readonly acceptsDate: boolean;
  /** Required because Square always sends it (always-returned.json), not because the spec says so. */
  readonly alwaysReturned: boolean;
}

/** One generated type: `name` in TypeScript, for the spec schema `spec`, as used on `side`. */
export interface ModelForm {
  readonly name: string;
  readonly spec: string;
  readonly side: Side;
}

/** TypeScript names of spec schemas; `Error` would shadow the global `Error` class wherever it is imported. */
export function typeName(schemaName: string): string {
  return schemaName === "Error" ? "SquareErrorDetail" : schemaName;
}

/** The name of the request form of a model that Square both receives and returns. */
export function inputName(schemaName: string): string {
  return `${typeName(schemaName)}Input`;
}

export class ModelPlan {
  readonly #doc: OpenApiDocument;
  /** Schemas reachable from a request body or parameter. */
  readonly requestSide: ReadonlySet<string>;
  /** Schemas reachable from a response or a webhook event. */
  readonly responseSide: ReadonlySet<string>;
  /** Schemas reachable from a response (answers, without what only webhook events hold). */
  readonly answerSide: ReadonlySet<string>;
  /** Schemas on both sides whose forms differ: the response form keeps the name, the request one is `…Input`. */
  readonly split: ReadonlySet<string>;
  /** Answer models (with a payload that is always present) that also appear inside another answer. */
  readonly nestedAnswers: ReadonlySet<string>;

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    const requestRoots: string[] = [];
    const responseRoots: string[] = [];
    for (const { operation } of eachOperation(doc)) {
      const body = operation.requestBody?.content["application/json"].schema.$ref;
      if (body) requestRoots.push(refName(body));
      for (const p of operation.parameters ?? [])
        if (p.schema.$ref) requestRoots.push(refName(p.schema.$ref));
      const response = operation.responses["200"]?.content?.["application/json"].schema.$ref;
      if (response) responseRoots.push(refName(response));
    }
    // What Square sends besides answers: the bodies of webhook events.
    const eventRoots = customerEvents(doc).map((event) => event.model);
    this.requestSide = this.#reachable(requestRoots);
    this.responseSide = this.#reachable([...responseRoots, ...eventRoots]);
    this.answerSide = this.#reachable(responseRoots);
    this.#checkFacts(new Set(responseRoots));

    const split = new Set<string>();
    const differs = (name: string): boolean =>
      (alwaysReturned.objects[name]?.length ?? 0) > 0 ||
      this.#ownFields(name).some((f) => this.#isDateTime(name, f.name, f.schema) && !f.schema.readOnly) ||
      refsOf(this.#schema(name)).some(differs);
    for (const name of this.requestSide) if (this.responseSide.has(name) && differs(name)) split.add(name);
    this.split = split;

    const nested = new Set<string>();
    for (const name of this.responseSide) {
      for (const ref of refsOf(this.#schema(name))) if (alwaysReturned.answers[ref]) nested.add(ref);
    }
    this.nestedAnswers = nested;
  }

  /** Every generated model, in spec-name order, each `…Input` form right after its response form. */
  forms(): ModelForm[] {
    return Object.keys(this.#doc.components.schemas)
      .sort()
      .flatMap((spec): ModelForm[] => {
        if (this.split.has(spec)) {
          return [
            { name: typeName(spec), spec, side: "response" },
            { name: inputName(spec), spec, side: "request" },
          ];
        }
        const side = this.requestSide.has(spec) && !this.responseSide.has(spec) ? "request" : "response";
        return [{ name: typeName(spec), spec, side }];
      });
  }

  /** The type a field on `side` names for a reference to `spec`. */
  refType(spec: string, side: Side): { name: string; nestedAnswer: boolean } {
    if (side === "request" && this.split.has(spec)) return { name: inputName(spec), nestedAnswer: false };
    return { name: typeName(spec), nestedAnswer: side === "response" && this.nestedAnswers.has(spec) };
  }

  /** The fields of `spec` as they are on `side`. */
  fields(spec: string, side: Side): FieldPlan[] {
    const schema = this.#schema(spec);
    const required = new Set(schema.required ?? []);
    const returned = new Set(
      side === "response"
        ? [...(alwaysReturned.objects[spec] ?? []), ...(alwaysReturned.answers[spec] ?? [])]
        : [],
    );
    return this.#ownFields(spec).map(({ name, schema: child }) => {
      const dateTime = this.#isDateTime(spec, name, child);
      return {
        name,
        schema: child,
        required: required.has(name) || returned.has(name),
        // Always returned means present with a value.
        nullable: Boolean(child.nullable) && !returned.has(name),
        dateTime,
        acceptsDate: side === "request" && dateTime && !child.readOnly,
        alwaysReturned: returned.has(name) && !required.has(name),
      };
    });
  }

  /** The schema named `spec`. */
  schema(spec: string): SchemaObject {
    return this.#schema(spec);
  }

  #schema(name: string): SchemaObject {
    const schema = this.#doc.components.schemas[name];
    if (!schema) throw new Error(`unknown schema ${name}`);
    return schema;
  }

  #ownFields(name: string): Array<{ name: string; schema: SchemaObject }> {
    return Object.entries(this.#schema(name).properties ?? {}).map(([field, schema]) => ({
      name: field,
      schema,
    }));
  }

  #isDateTime(model: string, field: string, schema: SchemaObject): boolean {
    return schema.format === "date-time" || (dateTimeFields[model]?.includes(field) ?? false);
  }

  #reachable(roots: string[]): Set<string> {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const ref of refsOf(this.#schema(name))) visit(ref);
    };
    for (const root of roots) visit(root);
    return seen;
  }

  /** The facts files name real fields, on the side they are about. */
  #checkFacts(answers: ReadonlySet<string>): void {
    const check = (what: string, model: string, fields: readonly string[]) => {
      for (const field of fields) {
        if (!this.#schema(model).properties?.[field])
          throw new Error(`${what}: ${model} has no field ${field}`);
      }
    };
    for (const [model, fields] of Object.entries(alwaysReturned.objects)) {
      if (!this.responseSide.has(model))
        throw new Error(`always-returned objects: ${model} is never returned`);
      check("always-returned objects", model, fields);
    }
    for (const [model, fields] of Object.entries(alwaysReturned.answers)) {
      if (!answers.has(model)) throw new Error(`always-returned answers: ${model} is no operation's answer`);
      check("always-returned answers", model, fields);
      // Inside a bulk answer the model is `Partial<…>`: that may only relax the payload.
      const required = new Set(this.#schema(model).required ?? []);
      const others = this.#ownFields(model).filter((f) => !fields.includes(f.name) && required.has(f.name));
      if (others.length > 0) throw new Error(`${model}: Partial<${model}> would relax ${others[0]!.name}`);
    }
    for (const [model, fields] of Object.entries(dateTimeFields)) check("dateTimeFields", model, fields);
  }
}

/** Names of the schemas `schema` refers to directly (through properties, items and map values). */
export function refsOf(schema: SchemaObject): string[] {
  if (schema.$ref) return [refName(schema.$ref)];
  return [
    ...Object.values(schema.properties ?? {}).flatMap(refsOf),
    ...(schema.items ? refsOf(schema.items) : []),
    ...(typeof schema.additionalProperties === "object" ? refsOf(schema.additionalProperties) : []),
  ].sort();
}

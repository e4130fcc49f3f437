// Test helper: checks HTTP requests and responses against spec/customers.openapi.json with ajv, so the
// contract tests of the clients and the emulator share one reading of the spec. A failure names the
// operation and the JSON path.
//
// Responses are also held to the fields this project says Square always returns (the codegen's
// always-returned.json, which makes them required in the response models): every customer has its id,
// timestamps, version and creation source, every successful create answers with the customer, and so on.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const here = dirname(fileURLToPath(import.meta.url));
const defaultSpec = resolve(here, "../../../spec/customers.openapi.json");
/** Enum values the project adds to the spec's (the generator reads the same file). */
const enumAdditionsFile = resolve(here, "../../codegen/src/enum-additions.json");
/** Fields Square always returns, by object model and by answer model (the generator reads it too). */
const alwaysReturnedFile = resolve(here, "../../codegen/src/always-returned.json");

interface AlwaysReturned {
  /** Present and not null on every such object in any answer. */
  readonly objects: Record<string, string[]>;
  /** Present in an operation's successful answer (not where the model is one entry of a bulk answer). */
  readonly answers: Record<string, string[]>;
}

interface Operation {
  operationId: string;
  method: string;
  pattern: RegExp;
  query: Map<string, { check: ValidateFunction; type: string | undefined }>;
  body?: ValidateFunction;
  /** The media types the spec lists for the request body, and whether a body is required. */
  bodyTypes: readonly string[];
  bodyRequired: boolean;
  /** The media types of the 200 answer. */
  responseTypes: readonly string[];
  /** Whether the operation names a security scheme (an OAuth token, sent as a bearer token). */
  secured: boolean;
  response: ValidateFunction;
}

export interface HttpExchange {
  readonly method: string;
  /** A full URL or a path with its query string. */
  readonly url: string;
  readonly body?: unknown;
  /**
   * The request headers, when they are to be judged too: the bearer token an operation's security asks
   * for, a well-formed Square-Version, a body's `Content-Type` among the spec's media types for it, and an
   * `Accept` that admits the answer's media type.
   */
  readonly headers?: Headers | Readonly<Record<string, string>>;
}

export interface SpecValidator {
  /** The operationId a method and path belong to, or undefined when the spec has no such operation. */
  matchOperation(method: string, url: string): string | undefined;
  /** Null when the request is one the spec allows, else a readable reason. */
  validateRequest(request: HttpExchange): string | null;
  /** Null when the response is what the spec promises (an error envelope for non-2xx), else a reason. */
  validateResponse(
    request: Pick<HttpExchange, "method" | "url">,
    status: number,
    body: unknown,
  ): string | null;
  /**
   * Null when a webhook event body is what the spec's schema for its `type` promises (the event schema
   * whose `x-webhook.event` is that type, with the fields Square always sends required), else a reason.
   */
  validateEvent(body: unknown): string | null;
}

export function createSpecValidator(specFile: string = defaultSpec): SpecValidator {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  // The values this project adds to the spec's enums (one list, shared with the generator).
  const additions: Record<string, string[]> = JSON.parse(readFileSync(enumAdditionsFile, "utf8"));
  for (const [name, values] of Object.entries(additions)) spec.components.schemas[name].enum.push(...values);
  const returned: AlwaysReturned = JSON.parse(readFileSync(alwaysReturnedFile, "utf8"));
  const doc = openApiToJsonSchema(spec) as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, unknown> };
  };
  const answerComponents = (openApiToJsonSchema(requireReturned(spec, returned.objects)) as typeof doc)
    .components;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat("int64", true).addFormat("int32", true);
  ajv.addSchema({ $id: "spec", components: doc.components });
  ajv.addSchema({ $id: "answers", components: answerComponents });
  const compile = (schema: unknown) => ajv.compile(rebase(schema, "spec") as object);
  /** A response schema, with the fields Square always returns required. */
  const compileAnswer = (schema: { $ref?: string }) => {
    const payload = returned.answers[schema.$ref?.split("/").pop() ?? ""] ?? [];
    return ajv.compile(rebase({ allOf: [schema, { required: payload }] }, "answers") as object);
  };

  // The header the security scheme adds to every call (Square-Version), and the form of its default.
  const extraHeaders: Array<{ name: string; schema?: { default?: unknown } }> =
    spec.components.securitySchemes?.oauth2?.["x-additional-headers"] ?? [];
  const versionHeader = extraHeaders.find((h) => h.name.toLowerCase() === "square-version");

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const params: any[] = op.parameters ?? [];
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
        query: new Map(
          params
            .filter((p) => p.in === "query")
            .map((p) => [p.name, { check: compile(p.schema), type: resolveType(doc, p.schema) }]),
        ),
        ...(op.requestBody ? { body: compile(op.requestBody.content["application/json"].schema) } : {}),
        bodyTypes: Object.keys(op.requestBody?.content ?? {}),
        bodyRequired: op.requestBody?.required === true,
        responseTypes: Object.keys(op.responses["200"].content ?? {}),
        secured: (op.security ?? spec.security ?? []).length > 0,
        response: compileAnswer(op.responses["200"].content["application/json"].schema),
      });
    }
  }
  /** Event schemas by event type, compiled on first use. */
  const eventSchemas = new Map<string, string>();
  for (const [name, schema] of Object.entries(spec.components.schemas as Record<string, any>)) {
    const event = schema["x-webhook"]?.event;
    if (typeof event === "string") eventSchemas.set(event, name);
  }
  const eventValidators = new Map<string, ValidateFunction>();
  const eventValidator = (type: string) => {
    const name = eventSchemas.get(type);
    if (name === undefined) return undefined;
    let check = eventValidators.get(type);
    if (check === undefined) {
      check = ajv.compile({ $ref: `answers#/components/schemas/${name}` });
      eventValidators.set(type, check);
    }
    return check;
  };

  const envelope = compile({
    type: "object",
    required: ["errors"],
    properties: { errors: { type: "array", minItems: 1, items: { $ref: "#/components/schemas/Error" } } },
  });

  const find = (method: string, url: string) => {
    const { pathname } = new URL(url, "http://spec.invalid");
    // Literal paths (e.g. /v2/customers/search) win over templates (/v2/customers/{customer_id}).
    const candidates = operations.filter(
      (op) => op.method === method.toUpperCase() && op.pattern.test(pathname),
    );
    return candidates.sort((a, b) => literalLength(b.pattern) - literalLength(a.pattern))[0];
  };

  return {
    matchOperation: (method, url) => find(method, url)?.operationId,
    validateRequest({ method, url, body, headers }) {
      const op = find(method, url);
      if (!op)
        return `${method} ${new URL(url, "http://spec.invalid").pathname}: no such operation in the spec`;
      if (headers !== undefined) {
        const problem = headerProblem(op, new Headers(headers), body !== undefined, versionHeader);
        if (problem) return `${op.operationId}: ${problem}`;
      }
      for (const [name, value] of new URL(url, "http://spec.invalid").searchParams) {
        const param = op.query.get(name);
        if (!param) return `${op.operationId}: unknown query parameter ${name}`;
        if (!param.check(coerce(value, param.type))) {
          return `${op.operationId} query ${name}: ${describe(param.check.errors)}`;
        }
      }
      if (op.body && !op.body(body)) return `${op.operationId} request body: ${describe(op.body.errors)}`;
      if (!op.body && body !== undefined) return `${op.operationId}: takes no request body`;
      return null;
    },
    validateResponse({ method, url }, status, body) {
      const op = find(method, url);
      const name = op?.operationId ?? `${method} ${url}`;
      if (status < 200 || status > 299) {
        return envelope(body) ? null : `${name} error response (${status}): ${describe(envelope.errors)}`;
      }
      if (!op) return `${name}: 2xx for a path the spec does not have`;
      return op.response(body) ? null : `${name} response: ${describe(op.response.errors)}`;
    },
    validateEvent(body) {
      const type = (body as { type?: unknown } | null)?.type;
      if (typeof type !== "string") return "event: no string `type`";
      const check = eventValidator(type);
      if (check === undefined) return `event: the spec has no event type ${type}`;
      if (!check(body)) return `${type} event: ${describe(check.errors)}`;
      if (!eventMatches(body as { type: string; data?: unknown }))
        return `${type} event: data.type does not name the object in data.object`;
      return null;
    },
  };
}

/**
 * What is wrong with a request's headers for `op`, or null. Media types compare without parameters; a
 * charset, when given, must be UTF-8 (the only one JSON may be sent in).
 */
function headerProblem(
  op: Operation,
  headers: Headers,
  hasBody: boolean,
  versionHeader: { name: string; schema?: { default?: unknown } } | undefined,
): string | null {
  if (op.secured && !/^Bearer \S+$/.test(headers.get("authorization") ?? "")) {
    return "no bearer token in Authorization (the operation's security scheme is OAuth)";
  }
  const version = versionHeader ? headers.get(versionHeader.name) : null;
  const form = /^\d{4}-\d{2}-\d{2}$/;
  if (version !== null && typeof versionHeader?.schema?.default === "string" && !form.test(version)) {
    return `${versionHeader.name} ${JSON.stringify(version)} is not a date like ${versionHeader.schema.default}`;
  }
  if (hasBody) {
    const type = headers.get("content-type");
    if (type === null) return "a body without Content-Type";
    const { mediaType, params } = parseMediaType(type);
    if (!op.bodyTypes.includes(mediaType)) {
      return `Content-Type ${JSON.stringify(type)} is not one the spec lists (${op.bodyTypes.join(", ")})`;
    }
    const charset = params.get("charset");
    if (charset !== undefined && charset.toLowerCase() !== "utf-8") return `Content-Type charset ${charset}`;
  } else if (op.bodyRequired) {
    return "no request body, which the spec requires";
  }
  const accept = headers.get("accept");
  if (accept !== null && !op.responseTypes.some((type) => accepts(accept, type))) {
    return `Accept ${JSON.stringify(accept)} admits none of ${op.responseTypes.join(", ")}`;
  }
  return null;
}

function parseMediaType(value: string): { mediaType: string; params: Map<string, string> } {
  const [type = "", ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const param of rest) {
    const [key = "", raw = ""] = param.split("=");
    params.set(key.trim().toLowerCase(), raw.trim().replace(/^"(.*)"$/, "$1"));
  }
  return { mediaType: type.trim().toLowerCase(), params };
}

/** Whether an `Accept` header admits `type` (a range matching it with a weight above 0). */
function accepts(accept: string, type: string): boolean {
  const [main, sub] = type.split("/");
  return accept.split(",").some((range) => {
    const { mediaType, params } = parseMediaType(range);
    const [rangeMain, rangeSub] = mediaType.split("/");
    const matches = (rangeMain === "*" || rangeMain === main) && (rangeSub === "*" || rangeSub === sub);
    return matches && Number(params.get("q") ?? "1") > 0;
  });
}

/**
 * The event's `data.type` names the object it carries (`customer` → `data.object.customer`, and so on):
 * a rule the schemas state only in words.
 */
function eventMatches(body: { data?: unknown }): boolean {
  const data = body.data as { type?: unknown; object?: Record<string, unknown> } | undefined;
  return typeof data?.type === "string" && data.object !== undefined && Object.hasOwn(data.object, data.type);
}

/** `nullable: true` (OpenAPI 3.0) → `anyOf [schema, null]`, which plain JSON Schema understands. */
function openApiToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openApiToJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, openApiToJsonSchema(v)]));
  return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}

/**
 * A copy of the (OpenAPI) spec in which each listed object model requires the listed fields and no
 * longer allows them to be null.
 */
function requireReturned(spec: any, objects: Record<string, string[]>): unknown {
  const copy = structuredClone(spec);
  for (const [name, fields] of Object.entries(objects)) {
    const schema = copy.components.schemas[name];
    schema.required = [...new Set([...(schema.required ?? []), ...fields])];
    for (const field of fields) delete schema.properties[field].nullable;
  }
  return copy;
}

/** Points local `#/components/...` references at the document registered under `id`. */
function rebase(schema: unknown, id: "spec" | "answers"): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${id}#/components/`));
}

/** Query values arrive as text; read them as the parameter's type so that ajv can check them. */
function coerce(value: string, type: string | undefined): unknown {
  if ((type === "integer" || type === "number") && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

function resolveType(doc: { components: { schemas: Record<string, any> } }, schema: any): string | undefined {
  if (schema.$ref) return resolveType(doc, doc.components.schemas[schema.$ref.split("/").pop()]);
  return schema.type;
}

function literalLength(pattern: RegExp): number {
  return pattern.source.replaceAll("[^/]+", "").length;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`)
    .join("; ");
}

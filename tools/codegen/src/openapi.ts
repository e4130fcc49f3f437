// The small part of OpenAPI 3.0 that Square's customers spec uses, and helpers to walk it.

export interface SchemaObject {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  $ref?: string;
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  required?: string[];
  enum?: string[];
  format?: string;
  nullable?: boolean;
  readOnly?: boolean;
  deprecated?: boolean;
  maxLength?: number;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  "x-release-status"?: string;
}

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: SchemaObject;
}

export interface OperationObject {
  operationId: string;
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content: { "application/json": { schema: SchemaObject } } };
  responses: Record<string, { content?: { "application/json": { schema: SchemaObject } } }>;
  security?: Array<Record<string, string[]>>;
  deprecated?: boolean;
  "x-release-status"?: string;
  "x-endpoint-errors"?: Array<{ "error-code": string }>;
}

/** Marks a schema as the body of a webhook event (`event` is the dotted type, e.g. `customer.created`). */
export interface WebhookExtension {
  readonly "x-webhook"?: { readonly event?: string };
}

export interface OpenApiDocument {
  paths: Record<string, Partial<Record<"get" | "post" | "put" | "delete", OperationObject>>>;
  components: { schemas: Record<string, SchemaObject> };
}

export const HTTP_METHODS = ["get", "post", "put", "delete"] as const;

/** `#/components/schemas/Customer` → `Customer`. */
export function refName(ref: string): string {
  const name = ref.split("/").pop();
  if (!name) throw new Error(`bad $ref ${ref}`);
  return name;
}

/** Every operation of the document, in path order then method order. */
export function* eachOperation(doc: OpenApiDocument) {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) yield { path, method: method.toUpperCase() as Uppercase<typeof method>, operation };
    }
  }
}

/** `ListCustomers` → `listCustomers`. */
export function camelCase(operationId: string): string {
  return operationId[0]!.toLowerCase() + operationId.slice(1);
}

/** The customer webhook events of the document: each event type and the schema of its body, by type. */
export function customerEvents(doc: OpenApiDocument): Array<{ type: string; model: string }> {
  return Object.entries(doc.components.schemas)
    .map(([model, schema]) => ({ type: (schema as WebhookExtension)["x-webhook"]?.event, model }))
    .filter((e): e is { type: string; model: string } => e.type?.startsWith("customer.") === true)
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

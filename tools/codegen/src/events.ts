// The customer webhook events: each event schema's dotted type (its `x-webhook.event`) and model, as one
// union keyed by `type` for core, and as a map of Effect schemas for the Effect client's decoder.
import { HEADER } from "./emit.ts";
import { typeName } from "./model-plan.ts";
import { customerEvents, type OpenApiDocument } from "./openapi.ts";

/** packages/core/src/generated/events.ts */
export function generateEvents(doc: OpenApiDocument): string {
  const events = customerEvents(doc);
  const models = [...new Set(events.map((e) => typeName(e.model)))].sort();
  return [
    HEADER,
    `import type { ${models.join(", ")} } from "./models.js";\n`,
    "/** Every customer event type (a delivery's `type`) and the name of the model of its body. */",
    `export const customerEventTypes = {\n${events.map((e) => `${JSON.stringify(e.type)}: ${JSON.stringify(e.model)},`).join("\n")}\n} as const;\n`,
    "/** A customer event type, such as `customer.created`. */",
    "export type CustomerEventType = keyof typeof customerEventTypes;\n",
    "/** A customer event, as Square delivers it; `type` tells which (narrow with a `switch`). */",
    `export type CustomerWebhookEvent =\n${events.map((e) => `  | (${typeName(e.model)} & { type: ${JSON.stringify(e.type)} })`).join("\n")};\n`,
  ].join("\n");
}

/** The map the Effect client decodes events with: event type → its schema (appended to schemas.ts). */
export function effectEventSchemas(doc: OpenApiDocument): string {
  const events = customerEvents(doc);
  return [
    "/** The schema of every customer event, by its type (`customer.created`, …). */",
    `export const customerEvents = {\n${events.map((e) => `${JSON.stringify(e.type)}: ${typeName(e.model)},`).join("\n")}\n} as const;\n`,
  ].join("\n");
}

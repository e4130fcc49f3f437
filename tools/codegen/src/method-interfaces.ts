// spec + method-names.ts → one interface per method group for each client (`CustomersMethods`,
// `CustomerGroupsMethods`, …), written out in full so that an editor shows a method as
// `update(customer_id: string, body?: UpdateCustomerRequest, options?: CallOptions)` with a doc comment,
// rather than a type computed from the operations table. The doc comments state facts of the
// operation: its HTTP method and path, scope, paging, whether it is retried and why it is safe to, and
// deprecation. Client-effect's type tests prove each signature equals the one derived from the table.

import { HEADER } from "./emit.ts";
import { jsDoc } from "./field-docs.ts";
import { operationRow, queryParams, queryTypeName } from "./generate-core.ts";
import { eachMethodGroup, type MethodGroup } from "./method-names.ts";
import { ModelPlan, typeName } from "./model-plan.ts";
import { eachOperation, type OpenApiDocument, type OperationObject, refName } from "./openapi.ts";
import { safePosts } from "./prose-facts.ts";

export type Flavor = "promise" | "effect";

/** What a method needs to know about its operation. */
interface MethodFacts {
  readonly operationId: string;
  readonly row: ReturnType<typeof operationRow>;
  readonly op: OperationObject;
  /** The input parameter: `body` or `query`, its type, and whether it may be left out. */
  readonly input: {
    readonly name: "body" | "query";
    readonly type: string;
    readonly optional: boolean;
  } | null;
  /** The type of one item, for paged operations. */
  readonly item: string | null;
}

const PRELUDE: Record<Flavor, string> = {
  promise: `import type { ApiCall } from "../call.js";
import type { Paginated } from "../paging.js";
import type { CallOptions } from "../options.js";`,
  effect: `import type * as Effect from "effect/Effect";
import type * as Stream from "effect/Stream";
import type { SquareClientError } from "../errors.js";
import type { CallOptions } from "../methods.js";`,
};

/** The source of `src/generated/methods.ts` for one client. */
export function generateMethodInterfaces(doc: OpenApiDocument, flavor: Flavor): string {
  const facts = methodFacts(doc);
  const models = new Set<string>();
  const interfaces = eachMethodGroup().map(({ path, group }) =>
    groupInterface(flavor, path, group, facts, (name) => models.add(name)),
  );
  return [
    HEADER,
    `import type { ${[...models].sort().join(", ")} } from "@square-customers/core";`,
    `${PRELUDE[flavor]}\n`,
    ...interfaces,
  ].join("\n");
}

/**
 * The source of the promise client's `src/generated/models.ts`: every model and query type of core,
 * re-exported so that installing the client alone is enough to name them.
 */
export function generateModelReexports(doc: OpenApiDocument): string {
  const plan = new ModelPlan(doc);
  const names = [
    ...plan.forms().map((form) => form.name),
    ...[...eachOperation(doc)]
      .filter(({ operation }) => queryParams(operation).length > 0)
      .map(({ operation }) => queryTypeName(operation.operationId)),
    "Models",
  ].sort();
  return `${HEADER}\nexport type {\n${names.join(",\n")},\n} from "@square-customers/core";\n`;
}

function methodFacts(doc: OpenApiDocument): Map<string, MethodFacts> {
  const plan = new ModelPlan(doc);
  const out = new Map<string, MethodFacts>();
  for (const { path, method, operation } of eachOperation(doc)) {
    const row = operationRow(doc, path, method, operation);
    const query = queryParams(operation);
    const input =
      row.body !== null
        ? {
            name: "body" as const,
            type: typeName(row.body),
            optional: !plan.fields(row.body, "request").some((f) => f.required),
          }
        : query.length > 0
          ? {
              name: "query" as const,
              type: queryTypeName(operation.operationId),
              optional: !query.some((p) => p.required),
            }
          : null;
    const itemsField = row.paging ? plan.schema(row.response).properties?.[row.paging.items] : undefined;
    const itemRef = itemsField?.items?.$ref;
    if (row.paging && !itemRef)
      throw new Error(`${operation.operationId}: paged items are not a named model`);
    out.set(operation.operationId, {
      operationId: operation.operationId,
      row,
      op: operation,
      input,
      item: itemRef ? typeName(refName(itemRef)) : null,
    });
  }
  return out;
}

function groupInterface(
  flavor: Flavor,
  path: readonly string[],
  group: MethodGroup,
  facts: ReadonlyMap<string, MethodFacts>,
  useModel: (name: string) => void,
): string {
  const members: string[] = [];
  for (const [method, operationId] of Object.entries(group.methods)) {
    const fact = facts.get(operationId);
    if (!fact) throw new Error(`method-names.ts: no operation ${operationId}`);
    const params = parameters(fact, useModel);
    const response = typeName(fact.row.response);
    useModel(response);
    if (fact.item) useModel(fact.item);
    if (flavor === "promise") {
      const result = fact.item ? `Paginated<${response}, ${fact.item}>` : `ApiCall<${response}>`;
      members.push(`${jsDoc(methodDoc(flavor, fact, method))}${method}(${params}): ${result};`);
    } else {
      members.push(
        `${jsDoc(methodDoc(flavor, fact, method))}${method}(${params}): Effect.Effect<${response}, SquareClientError>;`,
      );
      if (fact.item) {
        members.push(
          `${jsDoc(streamDoc(fact, method))}${method}Stream(${params}): Stream.Stream<${fact.item}, SquareClientError>;`,
        );
      }
    }
  }
  for (const [key, child] of Object.entries(group.groups ?? {})) {
    const deprecated = Object.values(child.methods).every((id) => facts.get(id)?.row.deprecated);
    const lines = [`\`${[...path, key].join(".")}\`: ${Object.keys(child.methods).join(", ")}.`];
    if (deprecated) lines.push("@deprecated Square has deprecated these endpoints.");
    members.push(`${jsDoc(lines)}readonly ${key}: ${child.interface};`);
  }
  const title = `The methods of \`square.${path.join(".")}\`, one per operation of Square's Customers API.`;
  return `/** ${title} */\nexport interface ${group.interface} {\n${members.join("\n\n")}\n}\n`;
}

function parameters(fact: MethodFacts, useModel: (name: string) => void): string {
  const params = fact.row.pathParams.map((p) => `${p}: string`);
  if (fact.input) {
    useModel(fact.input.type);
    params.push(`${fact.input.name}${fact.input.optional ? "?" : ""}: ${fact.input.type}`);
  }
  params.push("options?: CallOptions");
  return params.join(", ");
}

/** `BulkUpsertCustomerCustomAttributes` → `Bulk upsert customer custom attributes`. */
function summary(operationId: string): string {
  const words = operationId.split(/(?=[A-Z])/).map((w, i) => (i === 0 ? w : w.toLowerCase()));
  return words.join(" ");
}

/** Why repeating a request is harmless, for operations the table marks `safe`. */
function safeBecause(fact: MethodFacts): string {
  const reason = safePosts[fact.operationId];
  if (reason) return reason;
  if (fact.row.method === "GET") return "a read";
  if (fact.row.method === "PUT") return "it sets the same values again";
  return "deleting again changes nothing";
}

function retrySentence(fact: MethodFacts): string {
  const transient = "429, 5xx, a lost connection or a timeout";
  switch (fact.row.retry) {
    case "safe":
      return `Safe to repeat (${safeBecause(fact)}), so it is retried after a transient failure: ${transient}.`;
    case "with-idempotency-key":
      return (
        `Retried after a transient failure (${transient}) with the same \`idempotency_key\`; the client ` +
        "adds one when the body has none, so a retry never creates a second one."
      );
    case "never":
      return "Not retried: repeating it could apply it twice.";
  }
}

function methodDoc(flavor: Flavor, fact: MethodFacts, method: string): string[] {
  const { row } = fact;
  const lines = [`${summary(fact.operationId)}: \`${row.method} ${row.path}\`.`, ""];
  if (row.paging) {
    const where = row.paging.cursor === "query" ? "query" : "body";
    lines.push(
      flavor === "promise"
        ? `Paged by a \`cursor\` in the ${where}: \`await\` it for the first page, \`for await\` it for ` +
            `every item of \`${row.paging.items}\` across all pages, or \`.pages()\` for every page. ` +
            "Nothing is sent until it is used."
        : `Answers one page; its \`cursor\` (in the ${where}) asks for the next. \`${method}Stream\` ` +
            `yields every item of \`${row.paging.items}\` across all pages.`,
    );
  }
  lines.push(retrySentence(fact));
  if (row.scope) lines.push(`Needs the \`${row.scope}\` OAuth scope.`);
  lines.push("");
  for (const p of row.pathParams) lines.push(`@param ${p} The \`{${p}}\` part of the path.`);
  if (fact.input) {
    lines.push(
      fact.input.name === "body"
        ? `@param body The request body, in Square's field names.`
        : `@param query The query parameters.`,
    );
  }
  lines.push(
    flavor === "promise"
      ? "@param options Per-call options: `signal`, `timeout`, `maxRetries`, `headers`."
      : "@param options Per-call options: `timeout`, `retrySchedule`, `headers`.",
  );
  if (row.deprecated) lines.push("@deprecated Square has deprecated this endpoint.");
  return lines;
}

function streamDoc(fact: MethodFacts, method: string): string[] {
  const { row } = fact;
  const lines = [
    `Every item of \`${row.paging?.items}\` from \`${row.method} ${row.path}\`, across all pages: a page is ` +
      "requested only when the stream needs its items.",
    "",
    `Arguments as for \`${method}\`; ${retrySentence(fact).replace(/^./, (c) => c.toLowerCase())}`,
  ];
  if (row.deprecated) lines.push("@deprecated Square has deprecated this endpoint.");
  return lines;
}

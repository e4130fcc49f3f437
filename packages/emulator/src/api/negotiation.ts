// Content negotiation, as strict as Square's spec: every body the API takes is JSON
// (`requestBody.content` lists only `application/json`), and every answer is JSON. A request whose body
// is not declared as JSON, or whose `Accept` leaves JSON out, is refused before anything else is read, so
// it changes nothing. Statuses and codes are choices (square-choices.ts): Square's spec lists the codes
// among the errors any endpoint may return, but not when each is used.
import type { OperationDefinition } from "@square-customers/core";
import {
  BODY_NOT_JSON,
  CONTENT_TYPE_MALFORMED,
  EMPTY_BODY_IS_EMPTY_OBJECT,
  JSON_NOT_ACCEPTED,
} from "../square-choices.js";
import { errorDetail } from "./errors.js";
import { envelope, JSON_TYPE, type Reply } from "./http.js";

/** The headers negotiation looks at, as received (a repeated header joined with ", "). */
export interface NegotiatedHeaders {
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
}

/** The refusal for a request that does not negotiate JSON both ways, or undefined when it does. */
export function negotiationReply(
  op: OperationDefinition,
  headers: NegotiatedHeaders,
  body: Buffer,
): Reply | undefined {
  if (headers.accept !== undefined && headers.accept.trim() !== "" && !acceptsJson(headers.accept)) {
    return refusal(
      JSON_NOT_ACCEPTED,
      `The Accept header ${quoted(headers.accept)} does not allow ${JSON_TYPE}.`,
    );
  }
  // Operations without a body ignore Content-Type (a body sent to them is refused where input is read).
  if (op.body === null) return undefined;
  if (headers.contentType === undefined) {
    if (body.length === 0 && EMPTY_BODY_IS_EMPTY_OBJECT) return undefined;
    return refusal(BODY_NOT_JSON, `The body must be declared as ${JSON_TYPE} (Content-Type).`);
  }
  const type = parseMediaType(headers.contentType);
  if (type === undefined) {
    return refusal(
      CONTENT_TYPE_MALFORMED,
      `The Content-Type ${quoted(headers.contentType)} is not a media type.`,
    );
  }
  if (type.name !== JSON_TYPE) {
    return refusal(BODY_NOT_JSON, `The body is ${type.name}; this API takes ${JSON_TYPE} only.`);
  }
  const charset = type.params.get("charset");
  if (charset !== undefined && charset.toLowerCase() !== "utf-8") {
    return refusal(CONTENT_TYPE_MALFORMED, `A JSON body must be UTF-8, not ${charset}.`);
  }
  return undefined;
}

/** A media type as `type/subtype` (lower case) and its parameters, or undefined when it is not one. */
function parseMediaType(value: string): { name: string; params: Map<string, string> } | undefined {
  const [name = "", ...rest] = value.split(";");
  if (!TYPE.test(name.trim())) return undefined;
  const params = new Map<string, string>();
  for (const param of rest) {
    const match = PARAM.exec(param.trim());
    if (match === null) return undefined;
    params.set(match[1]!.toLowerCase(), match[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return { name: name.trim().toLowerCase(), params };
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);
const PARAM = new RegExp(`^(${TOKEN})=(${TOKEN}|"[^"]*")$`);

/** Whether an `Accept` header admits JSON: a range that matches it (`*`/`*`, `application/*`, exact) with q > 0. */
function acceptsJson(accept: string): boolean {
  return accept.split(",").some((range) => {
    const type = parseMediaType(range);
    if (type === undefined) return false;
    const [main, sub] = type.name.split("/");
    const matches =
      (main === "*" && sub === "*") || (main === "application" && (sub === "*" || sub === "json"));
    const weight = Number(type.params.get("q") ?? "1");
    return matches && weight > 0;
  });
}

function refusal(
  choice: { readonly status: number; readonly code: Parameters<typeof errorDetail>[1] },
  detail: string,
): Reply {
  return envelope(choice.status, [errorDetail("INVALID_REQUEST_ERROR", choice.code, detail)]);
}

/** A header value in a message, cut short (it came from the client, whatever its length). */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

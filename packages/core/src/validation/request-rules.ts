// What a request body is checked against: the constraint table generated from the spec, the rules Square
// states in prose (square-rules.ts, with the format checks of formats.ts) and the wording of long enums.
// A module of its own, so that a client loads it when it first sends a body (call/prepare.ts,
// `loadRequestRules`): a program that only reads never loads the largest part of validation.
import { requestSchemas } from "../generated/schemas.js";
import type { RequestRules } from "./schema-node.js";
import { ENUM_HINTS, schemaRules } from "./square-rules.js";

export const requestRules: RequestRules = {
  schemas: requestSchemas,
  rules: schemaRules,
  enumHints: ENUM_HINTS,
};

// Response decoding: every successful body is checked against its operation's generated Schema.
//
// The generated schemas only check; none transforms a value. A body that passes the check therefore
// decodes to an equal value, and the check alone decides. Schema's decoder builds an Effect per field,
// which made decoding a page of 100 customers cost about a millisecond, most of a page's client-side
// time. So each schema's AST is compiled once into a guard: a plain function that accepts exactly what
// the decoder accepts, field by field, with the schema's own checks (`Int`, patterns, …) run as they are.
// A body the guard accepts is the result; a body it rejects goes through Schema's decoder, which then
// fails with its usual message (or accepts it, in the few corners where the guard is stricter, such as
// a struct without a rest that is given extra fields: the decoder drops them). A schema with anything
// the guard does not know (a transformation, a declaration, …) gets no guard and is always decoded.
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import type * as SchemaAST from "effect/SchemaAST";
import { responses } from "./generated/schemas.js";

/** Whether a value is accepted, with nothing to transform. */
type Guard = (value: unknown) => boolean;

type Decode = (body: unknown) => Effect.Effect<unknown, Schema.SchemaError>;

export interface Decoder {
  readonly guard: Guard | undefined;
  readonly decode: Decode;
}

/** One decoder per response model, made on first use. */
const decoders = new Map<string, Decoder>();

/**
 * `body` as the response model `model` (a name in core's operations table), or `onMismatch` of Schema's
 * error when it is not one.
 */
export function decodeResponse<E>(
  model: string,
  body: unknown,
  onMismatch: (error: Schema.SchemaError) => E,
): Effect.Effect<unknown, E> {
  let decoder = decoders.get(model);
  if (decoder === undefined) {
    decoder = decoderOf(responses[model as keyof typeof responses] as Schema.Decoder<unknown>);
    decoders.set(model, decoder);
  }
  if (decoder.guard?.(body)) return Effect.succeed(body);
  return Effect.mapError(decoder.decode(body), onMismatch);
}

/** The guard of `schema` (when one can be compiled) and Schema's own decoder for it. */
export function decoderOf(schema: Schema.Decoder<unknown>): Decoder {
  return { guard: guardOf(schema.ast), decode: Schema.decodeUnknownEffect(schema) };
}

const PARSE_OPTIONS: SchemaAST.ParseOptions = {};

/** The guard of a node and its checks; undefined when the node is not one the guard knows. */
export function guardOf(ast: SchemaAST.AST): Guard | undefined {
  if (ast.encoding !== undefined) return undefined;
  const base = baseGuard(ast);
  const checks = ast.checks;
  if (base === undefined || checks === undefined) return base;
  return (value) => base(value) && passesChecks(checks, value, ast);
}

function passesChecks(checks: SchemaAST.Checks, value: unknown, ast: SchemaAST.AST): boolean {
  for (const check of checks) {
    if (check._tag === "FilterGroup") {
      if (!passesChecks(check.checks, value, ast)) return false;
    } else if (check.run(value, ast, PARSE_OPTIONS) !== undefined) {
      return false;
    }
  }
  return true;
}

function baseGuard(ast: SchemaAST.AST): Guard | undefined {
  switch (ast._tag) {
    case "String":
      return isString;
    case "Number":
      return isNumber;
    case "Boolean":
      return isBoolean;
    case "Null":
      return isNull;
    case "Unknown":
    case "Any":
      return always;
    case "Literal":
      return literalGuard(ast.literal);
    case "Union":
      return unionGuard(ast);
    case "Arrays":
      return arraysGuard(ast);
    case "Objects":
      return objectsGuard(ast);
    case "Suspend":
      return suspendGuard(ast);
    default:
      return undefined;
  }
}

const isString: Guard = (value) => typeof value === "string";
const isNumber: Guard = (value) => typeof value === "number";
const isBoolean: Guard = (value) => typeof value === "boolean";
const isNull: Guard = (value) => value === null;
const always: Guard = () => true;

function literalGuard(literal: SchemaAST.Literal["literal"]): Guard {
  return (value) => value === literal;
}

/** Any member accepts (the decoder tries members in order and keeps the first that succeeds). */
function unionGuard(ast: SchemaAST.Union): Guard | undefined {
  if (ast.options?.mode === "oneOf") return undefined;
  const members = compileAll(ast.types);
  if (members === undefined) return undefined;
  const [first, second] = members;
  // `NullOr(X)`, by far the most common union, without a loop.
  if (members.length === 2 && first !== undefined && second !== undefined) {
    return (value) => first(value) || second(value);
  }
  return (value) => members.some((member) => member(value));
}

/** Arrays, and tuples of required elements with at most one rest type. */
function arraysGuard(ast: SchemaAST.Arrays): Guard | undefined {
  if (ast.rest.length > 1 || ast.elements.some((element) => element.context?.isOptional)) return undefined;
  const elements = compileAll(ast.elements);
  const rest = ast.rest[0] === undefined ? undefined : guardOf(ast.rest[0]);
  if (elements === undefined || (ast.rest[0] !== undefined && rest === undefined)) return undefined;
  return (value) => {
    if (!Array.isArray(value)) return false;
    if (rest === undefined ? value.length !== elements.length : value.length < elements.length) return false;
    for (let i = 0; i < elements.length; i++) if (!elements[i]!(value[i])) return false;
    if (rest !== undefined)
      for (let i = elements.length; i < value.length; i++) if (!rest(value[i])) return false;
    return true;
  };
}

interface Field {
  readonly guard: Guard;
  readonly required: boolean;
}

/**
 * Structs and records. The guard visits the keys a value has (`for…in`, fast on objects from JSON.parse)
 * rather than looking up each declared field, most of which are usually absent; required fields are
 * counted. Like the decoder, an index signature checks every key, declared fields included. Without one,
 * the decoder would drop undeclared keys, so the guard accepts only objects that have none.
 */
function objectsGuard(ast: SchemaAST.Objects): Guard | undefined {
  if (ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0) {
    return (value) => value !== null && value !== undefined;
  }
  const fields = new Map<string, Field>();
  let required = 0;
  for (const property of ast.propertySignatures) {
    const guard = guardOf(property.type);
    // The decoder finds fields with `in`, so a field named like a member of every object (`constructor`)
    // is "present" even when a value lacks it; such schemas are left to the decoder.
    if (typeof property.name !== "string" || property.name in Object.prototype || guard === undefined) {
      return undefined;
    }
    const isRequired = !(property.type.context?.isOptional ?? false);
    if (isRequired) required++;
    fields.set(property.name, { guard, required: isRequired });
  }
  const rest: Guard[] = [];
  for (const index of ast.indexSignatures) {
    const guard = guardOf(index.type);
    const everyStringKey = index.parameter._tag === "String" && index.parameter.checks === undefined;
    if (!everyStringKey || index.parameter.encoding !== undefined || guard === undefined) return undefined;
    // A rest of unknown values (how the generated models keep fields newer than this package) accepts
    // every key: nothing to check.
    if (guard !== always) rest.push(guard);
  }
  const exact = ast.indexSignatures.length === 0;
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    let requiredSeen = 0;
    for (const key in record) {
      const item = record[key];
      const field = fields.get(key);
      if (field === undefined) {
        if (exact) return false;
      } else {
        if (!field.guard(item)) return false;
        if (field.required) requiredSeen++;
      }
      for (let i = 0; i < rest.length; i++) if (!rest[i]!(item)) return false;
    }
    return requiredSeen === required;
  };
}

/** A recursive schema: compiled on first use; if it turns out to be unknown, every value is refused. */
function suspendGuard(ast: SchemaAST.Suspend): Guard {
  let inner: Guard | undefined;
  return (value) => {
    inner ??= guardOf(ast.thunk()) ?? (() => false);
    return inner(value);
  };
}

function compileAll(asts: ReadonlyArray<SchemaAST.AST>): Guard[] | undefined {
  const guards: Guard[] = [];
  for (const ast of asts) {
    const guard = guardOf(ast);
    if (guard === undefined) return undefined;
    guards.push(guard);
  }
  return guards;
}

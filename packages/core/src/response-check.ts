// How deep a response is checked, for both clients: every successful answer (interpretAttempt) and every
// webhook delivery of a known event type (parseWebhookEvent) is held to its model's shape from the
// generated table (generated/shapes.ts): each field the model defines has its JSON type, the fields
// Square always sends are there, and only fields that may be null are. That is what the typed results
// promise, so code reading `customer.id` or `page.customers` never meets `undefined` or a number where a
// string was typed. Nothing else is checked, which keeps answers forward compatible: fields a newer
// Square-Version adds and enum values added later pass, and a longer-than-documented string is still an
// answer.
//
// Each model is compiled once, on first use, into a check that visits the keys the value has; a
// mismatch is described by its path (`customers[3].version is not an integer`).
import { shapes } from "./generated/shapes.js";

/** A field's type: a JSON type, `unknown`, a model's name, `[type]` (array) or `{ "*": type }` (map). */
export type FieldType = string | readonly [FieldType] | { readonly "*": FieldType };

/** One model: its fields' types, which are always present, and which may be null. */
export interface Shape {
  readonly fields: Readonly<Record<string, FieldType>>;
  readonly required?: readonly string[];
  readonly nullable?: readonly string[];
}

/** Where a value differs from its shape: the path to it (`.customer.version`, `[3]`) and how. */
interface Mismatch {
  path: string;
  readonly problem: string;
}

type Check = (value: unknown) => Mismatch | undefined;

const table: Readonly<Record<string, Shape>> = shapes;
const compiled = new Map<string, Check>();

/**
 * How `value` differs from the model `model` (`customers[3].version is not an integer`), or undefined
 * when it has the model's shape.
 */
export function shapeProblem(model: string, value: unknown): string | undefined {
  const mismatch = modelCheck(model)(value);
  if (mismatch === undefined) return undefined;
  const path = mismatch.path.startsWith(".") ? mismatch.path.slice(1) : mismatch.path;
  return path === "" ? `the body ${mismatch.problem}` : `${path} ${mismatch.problem}`;
}

function modelCheck(model: string): Check {
  let check = compiled.get(model);
  if (check === undefined) {
    const shape = table[model];
    if (shape === undefined) throw new Error(`no shape for model ${model}`);
    check = objectCheck(shape);
    compiled.set(model, check);
  }
  return check;
}

function typeCheck(type: FieldType): Check {
  if (typeof type !== "string") {
    return Array.isArray(type)
      ? arrayCheck(typeCheck(type[0]))
      : mapCheck(typeCheck((type as { "*": FieldType })["*"]));
  }
  switch (type) {
    case "string":
      return (value) => (typeof value === "string" ? undefined : mismatch("is not a string"));
    case "integer":
      return (value) => (Number.isInteger(value) ? undefined : mismatch("is not an integer"));
    case "number":
      return (value) =>
        typeof value === "number" && Number.isFinite(value) ? undefined : mismatch("is not a number");
    case "boolean":
      return (value) => (typeof value === "boolean" ? undefined : mismatch("is not a boolean"));
    case "object":
      return (value) => (isObject(value) ? undefined : mismatch("is not an object"));
    case "unknown":
      return () => undefined;
    default: {
      // Another model, compiled when first met (models refer to each other in any order).
      let inner: Check | undefined;
      return (value) => {
        inner ??= modelCheck(type);
        return inner(value);
      };
    }
  }
}

function objectCheck(shape: Shape): Check {
  const fields = new Map<string, { check: Check; nullable: boolean }>();
  const nullable = new Set(shape.nullable ?? []);
  for (const [name, type] of Object.entries(shape.fields)) {
    fields.set(name, { check: typeCheck(type), nullable: nullable.has(name) });
  }
  const required = shape.required ?? [];
  return (value) => {
    if (!isObject(value)) return mismatch("is not an object");
    // The keys the value has (few, usually), not every field the model defines (many, mostly absent).
    for (const key in value) {
      const field = fields.get(key);
      if (field === undefined) continue; // a field this package does not know: kept, never refused
      const item = value[key];
      if (item === null) {
        if (field.nullable) continue;
        return within(`.${key}`, mismatch("is null"));
      }
      const found = field.check(item);
      if (found !== undefined) return within(`.${key}`, found);
    }
    for (const key of required) {
      if (value[key] === undefined) return within(`.${key}`, mismatch("is missing"));
    }
    return undefined;
  };
}

function arrayCheck(item: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return mismatch("is not an array");
    for (let i = 0; i < value.length; i++) {
      const found = value[i] === null ? mismatch("is null") : item(value[i]);
      if (found !== undefined) return within(`[${i}]`, found);
    }
    return undefined;
  };
}

function mapCheck(entry: Check): Check {
  return (value) => {
    if (!isObject(value)) return mismatch("is not an object");
    for (const key in value) {
      const found = value[key] === null ? mismatch("is null") : entry(value[key]);
      if (found !== undefined) return within(`.${key}`, found);
    }
    return undefined;
  };
}

function mismatch(problem: string): Mismatch {
  return { path: "", problem };
}

/** A mismatch found inside `step` of the value being checked (paths are built outward, on failure only). */
function within(step: string, found: Mismatch): Mismatch {
  found.path = step + found.path;
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// How deep what Square sends is checked, for both clients: every successful answer (interpretAttempt) and
// every webhook delivery of a known event type (parseWebhookEvent) is held to its model's shape from the
// generated tables (generated/answer-shapes.ts, generated/event-shapes.ts): each field the model defines
// has its JSON type, the fields Square always sends are there, and only fields that may be null are. That
// is what the typed results promise, so code reading `customer.id` or `page.customers` never meets
// `undefined` or a number where a string was typed. Nothing else is checked, which keeps answers forward
// compatible: fields a newer Square-Version adds and enum values added later pass, and a longer-than-
// documented string is still an answer.
//
// Each model is compiled once, on first use, into a check that visits the keys the value has; a
// mismatch is described by its path (`customers[3].version is not an integer`).

/**
 * One model as the generated tables write it: each field it defines and that field's type, as a string.
 * A type is a JSON type (`string`, `integer`, `number`, `boolean`, `object`), `unknown` (any value),
 * another model's name, `[type]` for an array or `{type}` for a map; in front of it, `!` marks a field
 * Square always sends and `?` one that may be null (`"!string"`, `"?[Error]"`).
 */
export type Shape = Readonly<Record<string, string>>;

/** A table of shapes by model name. */
export type ShapeTable = Readonly<Record<string, Shape>>;

/** How a value differs from its model (`customers[3].version is not an integer`), or undefined. */
export type ShapeCheck = (model: string, value: unknown) => string | undefined;

/** Where a value differs from its shape: the path to it (`.customer.version`, `[3]`) and how. */
interface Mismatch {
  path: string;
  readonly problem: string;
}

type Check = (value: unknown) => Mismatch | undefined;

/**
 * A check against the models of `tables` (a model is looked up in each table in turn, so a table of
 * webhook events can name models of the table of answers).
 */
export function shapeCheck(...tables: readonly ShapeTable[]): ShapeCheck {
  const compiled = new Map<string, Check>();
  const modelCheck = (model: string): Check => {
    let check = compiled.get(model);
    if (check === undefined) {
      const shape = tables.find((table) => Object.hasOwn(table, model))?.[model];
      if (shape === undefined) throw new Error(`no shape for model ${model}`);
      check = objectCheck(shape, modelCheck);
      compiled.set(model, check);
    }
    return check;
  };
  return (model, value) => {
    const found = modelCheck(model)(value);
    if (found === undefined) return undefined;
    const path = found.path.startsWith(".") ? found.path.slice(1) : found.path;
    return path === "" ? `the body ${found.problem}` : `${path} ${found.problem}`;
  };
}

function objectCheck(shape: Shape, modelCheck: (model: string) => Check): Check {
  const fields = new Map<string, { check: Check; nullable: boolean }>();
  const required: string[] = [];
  for (const [name, written] of Object.entries(shape)) {
    const flags = /^[!?]*/.exec(written)![0];
    if (flags.includes("!")) required.push(name);
    fields.set(name, {
      check: typeCheck(written.slice(flags.length), modelCheck),
      nullable: flags.includes("?"),
    });
  }
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

function typeCheck(type: string, modelCheck: (model: string) => Check): Check {
  if (type.startsWith("[")) return arrayCheck(typeCheck(type.slice(1, -1), modelCheck));
  if (type.startsWith("{")) return mapCheck(typeCheck(type.slice(1, -1), modelCheck));
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

// Custom attribute definitions (per merchant) and custom attribute values (per customer and key).
import type {
  CustomAttribute,
  CustomAttributeDefinition,
  CustomAttributeInput,
  OperationName,
} from "@square-customers/core";
import { checkValue, readSchema, schemaType } from "../../data/attribute-types.js";
import { checkVersion, requireCustomer } from "../../data/customer-records.js";
import { newUuid } from "../../data/ids.js";
import type { Store } from "../../data/store.js";
import { DEFAULT_LIMITS, DUPLICATE_DEFINITION } from "../../square-choices.js";
import { ApiError, badRequest, errorDetail, notFound } from "../errors.js";
import { bulkEntry, type Context, type Handler, idempotent, now, pageObjects } from "./context.js";

type Definition = CustomAttributeDefinition & {
  key: string;
  schema: Record<string, unknown>;
  version: number;
};
type Attribute = { key: string; value: unknown; version: number; created_at: string; updated_at: string };

function loadDefinition(store: Store, merchant: string, key: string): Definition | undefined {
  const json = store.getObject(merchant, "definition", "", key);
  return json === undefined ? undefined : (JSON.parse(json) as Definition);
}

function requireDefinition(store: Store, merchant: string, key: string, field = "key"): Definition {
  const d = loadDefinition(store, merchant, key);
  if (d === undefined) throw notFound("Custom attribute definition", key, field);
  return d;
}

/** Square's strongly consistent read: asking for a version newer than the current one is an error. */
function checkReadVersion(current: number, wanted: number | undefined): void {
  if (wanted !== undefined && wanted > current) {
    throw badRequest(
      "BAD_REQUEST",
      `Version ${wanted} is newer than the current version ${current}.`,
      "version",
    );
  }
}

/** A definition key or name that another definition of the merchant already has. */
function duplicateDefinition(detail: string, field: string): ApiError {
  return new ApiError(DUPLICATE_DEFINITION.status, [
    errorDetail("INVALID_REQUEST_ERROR", DUPLICATE_DEFINITION.code, detail, field),
  ]);
}

/**
 * Rules a definition must meet after create or update: visible definitions need a name and a
 * description (core checks a create's body; after an update only the merged definition can tell), and
 * names are unique per merchant (case-sensitive).
 */
function checkDefinition(store: Store, merchant: string, d: Definition): void {
  const field = "custom_attribute_definition";
  if (d.visibility !== "VISIBILITY_HIDDEN") {
    for (const part of ["name", "description"] as const) {
      if (d[part] == null || d[part] === "") {
        throw badRequest(
          "MISSING_REQUIRED_PARAMETER",
          `A visible custom attribute definition needs a ${part}.`,
          `${field}.${part}`,
        );
      }
    }
  }
  if (d.name != null && store.objectNamed(merchant, "definition", d.name, d.key) !== undefined) {
    throw duplicateDefinition(`Another definition is named "${d.name}".`, `${field}.name`);
  }
}

/** Only the fields Square prints, in its order. */
function shapeDefinition(d: Definition): Definition {
  const out: Record<string, unknown> = { key: d.key };
  for (const k of [
    "name",
    "description",
    "schema",
    "visibility",
    "version",
    "created_at",
    "updated_at",
  ] as const) {
    if (d[k] != null) out[k] = d[k];
  }
  return out as unknown as Definition;
}

function saveDefinition(store: Store, merchant: string, d: Definition): void {
  store.putObject(merchant, "definition", "", d.key, JSON.stringify(d));
}

/** A stored value as Square prints it, with the definition's visibility (and the definition if asked). */
function present(a: Attribute, d: Definition | undefined, withDefinition: boolean): CustomAttribute {
  return {
    key: a.key,
    value: a.value,
    version: a.version,
    ...(d?.visibility != null ? { visibility: d.visibility } : {}),
    ...(withDefinition && d !== undefined ? { definition: d } : {}),
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

// ---- definitions -------------------------------------------------------------------------------------

export const listCustomerCustomAttributeDefinitions: Handler<"listCustomerCustomAttributeDefinitions"> = ({
  store,
  merchant,
  input,
}) =>
  pageObjects(
    store,
    merchant,
    "definition",
    "",
    input,
    DEFAULT_LIMITS.customAttributeDefinitions,
    "custom_attribute_definitions",
    (json) => JSON.parse(json) as Definition,
  );

export const createCustomerCustomAttributeDefinition: Handler<"createCustomerCustomAttributeDefinition"> = (
  ctx,
) => {
  const { store, merchant, input } = ctx;
  return idempotent(ctx, "createCustomerCustomAttributeDefinition", input.idempotency_key, input, () => {
    const body = input.custom_attribute_definition;
    const field = "custom_attribute_definition";
    // Core's validation has already required key and schema.
    if (loadDefinition(store, merchant, body.key!) !== undefined) {
      throw duplicateDefinition(
        `A custom attribute definition with key \`${body.key}\` already exists.`,
        `${field}.key`,
      );
    }
    const at = now(store);
    const definition = shapeDefinition({
      key: body.key!,
      name: body.name ?? null,
      description: body.description ?? null,
      schema: readSchema(body.schema, `${field}.schema`, () => newUuid(store, merchant)).schema,
      visibility: body.visibility ?? "VISIBILITY_HIDDEN",
      version: 1,
      created_at: at,
      updated_at: at,
    });
    checkDefinition(store, merchant, definition);
    saveDefinition(store, merchant, definition);
    ctx.changes.definition("created", definition);
    return { custom_attribute_definition: definition };
  });
};

export const retrieveCustomerCustomAttributeDefinition: Handler<
  "retrieveCustomerCustomAttributeDefinition"
> = ({ store, merchant, path: [key], input }) => {
  const definition = requireDefinition(store, merchant, key);
  checkReadVersion(definition.version, input.version);
  return { custom_attribute_definition: definition };
};

export const updateCustomerCustomAttributeDefinition: Handler<"updateCustomerCustomAttributeDefinition"> = (
  ctx,
) => {
  const { store, merchant, path, input } = ctx;
  const [key] = path;
  return idempotent(
    ctx,
    "updateCustomerCustomAttributeDefinition",
    input.idempotency_key,
    [key, input],
    () => {
      const current = requireDefinition(store, merchant, key);
      const body = input.custom_attribute_definition;
      const field = "custom_attribute_definition";
      checkVersion("Custom attribute definition", key, current.version, body.version, `${field}.version`);
      if (body.key != null && body.key !== key) {
        throw badRequest("INVALID_VALUE", "The key of a definition cannot change.", `${field}.key`);
      }
      const next: Definition = { ...current };
      if (body.name !== undefined) next.name = body.name;
      if (body.description !== undefined) next.description = body.description;
      if (body.visibility != null) next.visibility = body.visibility;
      if (body.schema != null) {
        const schema = readSchema(
          body.schema,
          `${field}.schema`,
          () => newUuid(store, merchant),
          current.schema,
        );
        if (schema.type !== schemaType(current.schema)) {
          throw badRequest(
            "INVALID_VALUE",
            "The data type of a definition cannot change.",
            `${field}.schema`,
          );
        }
        next.schema = schema.schema;
      }
      next.version = current.version + 1;
      next.updated_at = now(store);
      const definition = shapeDefinition(next);
      checkDefinition(store, merchant, definition);
      saveDefinition(store, merchant, definition);
      ctx.changes.definition("updated", definition);
      return { custom_attribute_definition: definition };
    },
  );
};

export const deleteCustomerCustomAttributeDefinition: Handler<"deleteCustomerCustomAttributeDefinition"> = ({
  store,
  merchant,
  path: [key],
  changes,
}) => {
  const definition = requireDefinition(store, merchant, key);
  store.deleteObject(merchant, "definition", "", key);
  // Its values on every customer go with it (announced by the definition's event alone).
  store.deleteObjectsById(merchant, "attribute", key);
  changes.definition("deleted", definition);
  return {};
};

// ---- values ------------------------------------------------------------------------------------------

/** Creates or replaces one customer's value for a key; `field` prefixes error fields. */
function upsert(
  { store, merchant, changes }: Pick<Context<OperationName>, "store" | "merchant" | "changes">,
  customerId: string,
  key: string,
  body: CustomAttributeInput,
  field: string,
): CustomAttribute {
  requireCustomer(store, merchant, customerId, "customer_id");
  const definition = requireDefinition(store, merchant, key, `${field}.key`);
  if (body.value === undefined || body.value === null) {
    throw badRequest("MISSING_REQUIRED_PARAMETER", "value is required.", `${field}.value`);
  }
  checkValue(definition.schema, body.value, `${field}.value`);
  const json = store.getObject(merchant, "attribute", customerId, key);
  const current = json === undefined ? undefined : (JSON.parse(json) as Attribute);
  if (current !== undefined) {
    checkVersion("Custom attribute", key, current.version, body.version, `${field}.version`);
  }
  const at = now(store);
  const attribute: Attribute = {
    key,
    value: body.value,
    version: (current?.version ?? 0) + 1,
    created_at: current?.created_at ?? at,
    updated_at: at,
  };
  store.putObject(merchant, "attribute", customerId, key, JSON.stringify(attribute));
  const shown = present(attribute, definition, false);
  changes.attribute("updated", customerId, shown);
  return shown;
}

export const listCustomerCustomAttributes: Handler<"listCustomerCustomAttributes"> = ({
  store,
  merchant,
  path: [customerId],
  input,
}) => {
  requireCustomer(store, merchant, customerId, "customer_id");
  return pageObjects(
    store,
    merchant,
    "attribute",
    customerId,
    input,
    DEFAULT_LIMITS.customAttributes,
    "custom_attributes",
    (json) => {
      const a = JSON.parse(json) as Attribute;
      return present(a, loadDefinition(store, merchant, a.key), input.with_definitions ?? false);
    },
  );
};

export const retrieveCustomerCustomAttribute: Handler<"retrieveCustomerCustomAttribute"> = ({
  store,
  merchant,
  path: [customerId, key],
  input,
}) => {
  requireCustomer(store, merchant, customerId, "customer_id");
  const json = store.getObject(merchant, "attribute", customerId, key);
  if (json === undefined) throw notFound("Custom attribute", key, "key");
  const attribute = JSON.parse(json) as Attribute;
  checkReadVersion(attribute.version, input.version);
  return {
    custom_attribute: present(
      attribute,
      loadDefinition(store, merchant, key),
      input.with_definition ?? false,
    ),
  };
};

export const upsertCustomerCustomAttribute: Handler<"upsertCustomerCustomAttribute"> = (ctx) => {
  const { path, input } = ctx;
  const [customerId, key] = path;
  return idempotent(
    ctx,
    "upsertCustomerCustomAttribute",
    input.idempotency_key,
    [customerId, key, input],
    () => ({
      custom_attribute: upsert(ctx, customerId, key, input.custom_attribute, "custom_attribute"),
    }),
  );
};

export const deleteCustomerCustomAttribute: Handler<"deleteCustomerCustomAttribute"> = ({
  store,
  merchant,
  path: [customerId, key],
  changes,
}) => {
  requireCustomer(store, merchant, customerId, "customer_id");
  const json = store.getObject(merchant, "attribute", customerId, key);
  if (json === undefined) throw notFound("Custom attribute", key, "key");
  store.deleteObject(merchant, "attribute", customerId, key);
  const attribute = present(JSON.parse(json) as Attribute, loadDefinition(store, merchant, key), false);
  changes.attribute("deleted", customerId, attribute);
  return {};
};

export const bulkUpsertCustomerCustomAttributes: Handler<"bulkUpsertCustomerCustomAttributes"> = (ctx) => {
  const { input } = ctx;
  const values = Object.entries(input.values).map(([entryKey, entry]) => {
    const result = bulkEntry(ctx, entryKey, () =>
      idempotent(ctx, "bulkUpsertCustomerCustomAttributes", entry.idempotency_key, entry, () => {
        const key = entry.custom_attribute.key;
        if (key == null)
          throw badRequest("MISSING_REQUIRED_PARAMETER", "key is required.", "custom_attribute.key");
        return {
          customer_id: entry.customer_id,
          custom_attribute: upsert(ctx, entry.customer_id, key, entry.custom_attribute, "custom_attribute"),
        };
      }),
    );
    // An entry's errors still name its customer (when the entry had a readable one).
    const customerId = typeof entry?.customer_id === "string" ? { customer_id: entry.customer_id } : {};
    return [entryKey, "errors" in result ? { ...customerId, ...result } : result];
  });
  return { values: Object.fromEntries(values) };
};

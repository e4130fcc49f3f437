import {
  checkVersion,
  insertCustomer,
  loadCustomer,
  newCustomer,
  requireCustomer,
  saveCustomer,
  updatedCustomer,
} from "../../data/customer-records.js";
import { newId } from "../../data/ids.js";
import { findCustomers } from "../../data/search.js";
import { DEFAULT_LIMITS } from "../../square-choices.js";
import { notFoundDetail } from "../errors.js";
import { bulkEntry, type Handler, idempotent } from "./context.js";

export const listCustomers: Handler<"listCustomers"> = ({ store, merchant, input }) =>
  findCustomers(store, merchant, {
    scope: "list",
    sortField: input.sort_field ?? "DEFAULT",
    sortOrder: input.sort_order ?? "ASC",
    limit: input.limit ?? DEFAULT_LIMITS.customers,
    cursor: input.cursor,
    count: input.count ?? false,
  });

export const searchCustomers: Handler<"searchCustomers"> = ({ store, merchant, input }) =>
  findCustomers(store, merchant, {
    scope: "search",
    filter: input.query?.filter,
    sortField: input.query?.sort?.field ?? "DEFAULT",
    sortOrder: input.query?.sort?.order ?? "ASC",
    limit: input.limit ?? DEFAULT_LIMITS.customers,
    cursor: input.cursor,
    count: input.count ?? false,
  });

export const createCustomer: Handler<"createCustomer"> = (ctx) => {
  const { store, merchant, input } = ctx;
  return idempotent(ctx, "createCustomer", input.idempotency_key, input, () => {
    const customer = newCustomer(input, store.nowMs(), { id: newId(store, merchant) });
    insertCustomer(store, merchant, customer);
    ctx.changes.customer("created", customer);
    return { customer };
  });
};

export const retrieveCustomer: Handler<"retrieveCustomer"> = ({ store, merchant, path: [id] }) => ({
  customer: requireCustomer(store, merchant, id),
});

export const updateCustomer: Handler<"updateCustomer"> = ({
  store,
  merchant,
  path: [id],
  input,
  changes,
}) => {
  const current = requireCustomer(store, merchant, id);
  checkVersion("Customer", id, current.version ?? 0, input.version, "version");
  const customer = saveCustomer(store, merchant, updatedCustomer(current, input, store.nowMs()));
  changes.customer("updated", customer);
  return { customer };
};

export const deleteCustomer: Handler<"deleteCustomer"> = ({
  store,
  merchant,
  path: [id],
  input,
  changes,
}) => {
  const current = requireCustomer(store, merchant, id);
  checkVersion("Customer", id, current.version ?? 0, input.version, "version");
  store.deleteCustomer(merchant, id);
  changes.customer("deleted", current);
  return {};
};

export const bulkCreateCustomers: Handler<"bulkCreateCustomers"> = (ctx) => {
  const { store, merchant, input } = ctx;
  const responses = Object.entries(input.customers).map(([key, data]) => [
    key,
    // Each map key is that entry's idempotency key: resending the batch creates nobody twice.
    bulkEntry(ctx, key, () =>
      idempotent(ctx, "bulkCreateCustomers", key, data, () => {
        const customer = newCustomer(data, store.nowMs(), { id: newId(store, merchant) });
        insertCustomer(store, merchant, customer);
        ctx.changes.customer("created", customer);
        return { customer };
      }),
    ),
  ]);
  return { responses: Object.fromEntries(responses) };
};

export const bulkRetrieveCustomers: Handler<"bulkRetrieveCustomers"> = ({ store, merchant, input }) => {
  const responses = input.customer_ids.map((id) => {
    const customer = loadCustomer(store, merchant, id);
    return [id, customer === undefined ? { errors: [notFoundDetail("Customer", id)] } : { customer }];
  });
  return { responses: Object.fromEntries(responses) };
};

export const bulkUpdateCustomers: Handler<"bulkUpdateCustomers"> = (ctx) => {
  const { store, merchant, input } = ctx;
  const responses = Object.entries(input.customers).map(([id, data]) => [
    id,
    bulkEntry(ctx, id, () => {
      const current = requireCustomer(store, merchant, id);
      checkVersion("Customer", id, current.version ?? 0, data.version, "version");
      const customer = saveCustomer(store, merchant, updatedCustomer(current, data, store.nowMs()));
      ctx.changes.customer("updated", customer);
      return { customer };
    }),
  ]);
  return { responses: Object.fromEntries(responses) };
};

export const bulkDeleteCustomers: Handler<"bulkDeleteCustomers"> = ({ store, merchant, input, changes }) => {
  const responses = input.customer_ids.map((id) => {
    const current = loadCustomer(store, merchant, id);
    if (current === undefined) return [id, { errors: [notFoundDetail("Customer", id)] }];
    store.deleteCustomer(merchant, id);
    changes.customer("deleted", current);
    return [id, {}];
  });
  return { responses: Object.fromEntries(responses) };
};

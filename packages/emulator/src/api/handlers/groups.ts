// Groups (CRUD and membership), segments (read-only) and cards on file (deprecated).
import type { Card, CustomerGroup, CustomerSegment } from "@square-customers/core";
import { loadCustomer, requireCustomer, saveCustomer, setMembership } from "../../data/customer-records.js";
import { newId, sha256, stableId } from "../../data/ids.js";
import type { Store } from "../../data/store.js";
import { DEFAULT_LIMITS, FAILING_CARD_NONCES } from "../../square-choices.js";
import { ApiError, badRequest, errorDetail, notFound } from "../errors.js";
import { type Handler, idempotent, now, pageObjects } from "./context.js";

function requireGroup(store: Store, merchant: string, id: string): CustomerGroup {
  const json = store.getObject(merchant, "group", "", id);
  if (json === undefined) throw notFound("Customer group", id, "group_id");
  return JSON.parse(json) as CustomerGroup;
}

function saveGroup(store: Store, merchant: string, group: CustomerGroup): void {
  store.putObject(merchant, "group", "", group.id!, JSON.stringify(group));
}

export const listCustomerGroups: Handler<"listCustomerGroups"> = ({ store, merchant, input }) =>
  pageObjects(
    store,
    merchant,
    "group",
    "",
    input,
    DEFAULT_LIMITS.groups,
    "groups",
    (json) => JSON.parse(json) as CustomerGroup,
  );

export const createCustomerGroup: Handler<"createCustomerGroup"> = (ctx) => {
  const { store, merchant, input } = ctx;
  return idempotent(ctx, "createCustomerGroup", input.idempotency_key, input, () => {
    const at = now(store);
    const group: CustomerGroup = {
      id: newId(store, merchant),
      name: input.group.name,
      created_at: at,
      updated_at: at,
    };
    saveGroup(store, merchant, group);
    return { group };
  });
};

export const retrieveCustomerGroup: Handler<"retrieveCustomerGroup"> = ({ store, merchant, path: [id] }) => ({
  group: requireGroup(store, merchant, id),
});

export const updateCustomerGroup: Handler<"updateCustomerGroup"> = ({
  store,
  merchant,
  path: [id],
  input,
}) => {
  const group = { ...requireGroup(store, merchant, id), name: input.group.name, updated_at: now(store) };
  saveGroup(store, merchant, group);
  return { group };
};

export const deleteCustomerGroup: Handler<"deleteCustomerGroup"> = ({
  store,
  merchant,
  path: [id],
  changes,
}) => {
  requireGroup(store, merchant, id);
  // A deleted group disappears from its members' group_ids (a membership change: customer.updated).
  for (const customerId of store.customersIn(merchant, "group", id)) {
    const customer = loadCustomer(store, merchant, customerId)!;
    setMembership(customer, id, false, store.nowMs());
    changes.customer("updated", saveCustomer(store, merchant, customer));
  }
  store.deleteObject(merchant, "group", "", id);
  return {};
};

function membership(member: boolean): Handler<"addGroupToCustomer" | "removeGroupFromCustomer"> {
  return ({ store, merchant, path: [customerId, groupId], changes }) => {
    const customer = requireCustomer(store, merchant, customerId, "customer_id");
    requireGroup(store, merchant, groupId);
    // Square reports a membership change as customer.updated; no change, no event.
    if (setMembership(customer, groupId, member, store.nowMs())) {
      changes.customer("updated", saveCustomer(store, merchant, customer));
    }
    return {};
  };
}

export const addGroupToCustomer: Handler<"addGroupToCustomer"> = membership(true);
export const removeGroupFromCustomer: Handler<"removeGroupFromCustomer"> = membership(false);

export const listCustomerSegments: Handler<"listCustomerSegments"> = ({ store, merchant, input }) =>
  pageObjects(
    store,
    merchant,
    "segment",
    "",
    input,
    DEFAULT_LIMITS.segments,
    "segments",
    (json) => JSON.parse(json) as CustomerSegment,
  );

export const retrieveCustomerSegment: Handler<"retrieveCustomerSegment"> = ({
  store,
  merchant,
  path: [id],
}) => {
  const json = store.getObject(merchant, "segment", "", id);
  if (json === undefined) throw notFound("Segment", id, "segment_id");
  return { segment: JSON.parse(json) as CustomerSegment };
};

export const createCustomerCard: Handler<"createCustomerCard"> = (ctx) => {
  const { store, merchant, path, input } = ctx;
  const [customerId] = path;
  requireCustomer(store, merchant, customerId, "customer_id");
  const failure = Object.hasOwn(FAILING_CARD_NONCES, input.card_nonce)
    ? FAILING_CARD_NONCES[input.card_nonce]
    : undefined;
  if (failure !== undefined) {
    throw new ApiError(400, [errorDetail(failure.category, failure.code, failure.detail, "card_nonce")]);
  }
  if (input.card_nonce.trim() === "")
    throw badRequest("INVALID_CARD", "The card nonce is empty.", "card_nonce");
  // A nonce can be stored once: the card id is derived from it, so a repeat finds the first card.
  const cardId = `ccof:${stableId(merchant, "card", input.card_nonce).slice(0, 22)}`;
  const existing = store.findObject(merchant, "card", cardId);
  if (existing !== undefined) {
    if (existing.parent === customerId) return { card: JSON.parse(existing.data) as Card };
    throw badRequest(
      "CARD_TOKEN_USED",
      "The card nonce was already used for another customer.",
      "card_nonce",
    );
  }
  const card: Card = {
    id: cardId,
    card_brand: "VISA",
    last_4: "1111",
    exp_month: 12,
    exp_year: new Date(store.nowMs()).getUTCFullYear() + 3,
    ...(input.cardholder_name !== undefined ? { cardholder_name: input.cardholder_name } : {}),
    ...(input.billing_address !== undefined ? { billing_address: input.billing_address } : {}),
    fingerprint: `sq-1-${sha256(input.card_nonce).slice(0, 40)}`,
    customer_id: customerId,
    merchant_id: merchant,
    enabled: true,
    card_type: "CREDIT",
    prepaid_type: "NOT_PREPAID",
    bin: "411111",
    version: 1,
  };
  store.putObject(merchant, "card", customerId, cardId, JSON.stringify(card));
  return { card };
};

export const deleteCustomerCard: Handler<"deleteCustomerCard"> = ({
  store,
  merchant,
  path: [customerId, cardId],
}) => {
  requireCustomer(store, merchant, customerId, "customer_id");
  if (!store.deleteObject(merchant, "card", customerId, cardId)) throw notFound("Card", cardId, "card_id");
  return {};
};

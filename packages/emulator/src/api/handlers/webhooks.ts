// The Webhook Subscriptions API: event types, and subscriptions (CRUD, key rotation, test). Records and
// their rules are in webhooks/subscriptions.ts; delivery is webhooks/dispatcher.ts.
import { type CustomerEventType, SQUARE_VERSION } from "@square-customers/core";
import { DEFAULT_TEST_EVENT_TYPE, SQUARE_VERSION_PATTERN } from "../../square-choices.js";
import {
  checkSubscriptionInput,
  EVENT_TYPES,
  newSignatureKey,
  newSubscriptionId,
  requireSubscription,
  type StoredSubscription,
  saveSubscription,
  subscriptionPage,
  withoutKey,
} from "../../webhooks/subscriptions.js";
import { badRequest } from "../errors.js";
import { type Handler, idempotent, now } from "./context.js";

export const listWebhookEventTypes: Handler<"listWebhookEventTypes"> = ({ input }) => {
  if (input.api_version !== undefined && !SQUARE_VERSION_PATTERN.test(input.api_version)) {
    throw badRequest("INVALID_VALUE", "api_version must look like YYYY-MM-DD.", "api_version");
  }
  return { event_types: [...EVENT_TYPES] };
};

export const listWebhookSubscriptions: Handler<"listWebhookSubscriptions"> = ({ store, merchant, input }) =>
  subscriptionPage(store, merchant, input);

export const createWebhookSubscription: Handler<"createWebhookSubscription"> = (ctx) => {
  const { store, merchant, input } = ctx;
  return idempotent(ctx, "createWebhookSubscription", input.idempotency_key, input, () => {
    const fields = checkSubscriptionInput(input.subscription, true);
    const at = now(store);
    const subscription: StoredSubscription = {
      id: newSubscriptionId(store, merchant),
      enabled: true,
      event_types: [],
      notification_url: "",
      api_version: SQUARE_VERSION,
      ...fields,
      signature_key: newSignatureKey(),
      created_at: at,
      updated_at: at,
    };
    saveSubscription(store, merchant, subscription);
    // The one answer (with rotation's) that shows the signature key.
    return { subscription };
  });
};

export const retrieveWebhookSubscription: Handler<"retrieveWebhookSubscription"> = ({
  store,
  merchant,
  path: [id],
}) => ({ subscription: withoutKey(requireSubscription(store, merchant, id)) });

export const updateWebhookSubscription: Handler<"updateWebhookSubscription"> = ({
  store,
  merchant,
  path: [id],
  input,
  webhooks,
}) => {
  const current = requireSubscription(store, merchant, id);
  const fields = input.subscription == null ? {} : checkSubscriptionInput(input.subscription, false);
  const subscription: StoredSubscription = { ...current, ...fields, updated_at: now(store) };
  if (subscription.name === null) delete subscription.name;
  saveSubscription(store, merchant, subscription);
  if (subscription.notification_url !== current.notification_url) {
    webhooks.repointed(merchant, id, subscription.notification_url);
  }
  return { subscription: withoutKey(subscription) };
};

export const deleteWebhookSubscription: Handler<"deleteWebhookSubscription"> = ({
  store,
  merchant,
  path: [id],
}) => {
  requireSubscription(store, merchant, id);
  // Deliveries still queued for it are cancelled when their turn comes (each attempt looks it up, attempts.ts).
  store.deleteObject(merchant, "subscription", "", id);
  return {};
};

export const updateWebhookSubscriptionSignatureKey: Handler<"updateWebhookSubscriptionSignatureKey"> = (
  ctx,
) => {
  const { store, merchant, path, input } = ctx;
  const [id] = path;
  return idempotent(ctx, "updateWebhookSubscriptionSignatureKey", input.idempotency_key, [id, input], () => {
    const current = requireSubscription(store, merchant, id);
    const subscription = { ...current, signature_key: newSignatureKey(), updated_at: now(store) };
    saveSubscription(store, merchant, subscription);
    // Deliveries from now on, retries of older events included, are signed with the new key.
    return { signature_key: subscription.signature_key };
  });
};

/**
 * Sends a signed test event and reports the receiver's answer. The event type is the one asked for (it
 * must be one the subscription receives), else `customer.created` when the subscription receives it,
 * else its first event type; the event is about made-up data (events.ts, `sampleChange`).
 */
export const testWebhookSubscription: Handler<"testWebhookSubscription"> = async ({
  store,
  merchant,
  path: [id],
  input,
  webhooks,
}) => {
  const subscription = requireSubscription(store, merchant, id);
  const type = testEventType(subscription, input.event_type ?? undefined);
  return { subscription_test_result: await webhooks.test(merchant, subscription, type) };
};

function testEventType(subscription: StoredSubscription, asked: string | undefined): CustomerEventType {
  const types = subscription.event_types as CustomerEventType[];
  if (asked !== undefined) {
    if (!(types as string[]).includes(asked)) {
      throw badRequest(
        "INVALID_VALUE",
        `The subscription does not receive "${asked}" events (its event_types: ${types.join(", ")}).`,
        "event_type",
      );
    }
    return asked as CustomerEventType;
  }
  return types.includes(DEFAULT_TEST_EVENT_TYPE) ? DEFAULT_TEST_EVENT_TYPE : types[0]!;
}

// Webhook events as Square sends them, built from core's generated event models: one change becomes one
// event per event type it is published as (spec/BEHAVIOUR.md, "Webhooks"). Each event has its own
// `event_id`; its retries and duplicates reuse the body built here.
import {
  type CustomAttributeDefinitionEventData,
  type CustomAttributeEventData,
  type Customer,
  type CustomerCreatedEventData,
  type CustomerDeletedEventData,
  type CustomerEventType,
  type CustomerUpdatedEventData,
  type CustomerWebhookEvent,
  customerEventTypes,
} from "@square-customers/core";
import type { Clock } from "../clock.js";
import { DELETE_EVENTS_SAY_DELETED } from "../square-choices.js";
import type { Change } from "./changes.js";

/**
 * `created_at` of a new event: the clock's stamp (with the system clock, always after the previous one,
 * so commit order shows).
 */
export function eventTime(clock: Clock): string {
  return new Date(clock.stamp()).toISOString();
}

/**
 * Fields Square leaves out of the customer in its events (documented with each event): segment
 * membership always, and group membership too once the customer is deleted.
 */
const OMITTED_CUSTOMER_FIELDS = {
  created: ["segment_ids"],
  updated: ["segment_ids"],
  deleted: ["group_ids", "segment_ids"],
} as const satisfies Record<string, ReadonlyArray<keyof Customer>>;

function isCustomerEventType(type: string): type is CustomerEventType {
  return Object.hasOwn(customerEventTypes, type);
}

/**
 * The event types a change is published as. A customer change is one type. A custom attribute (or
 * definition) change is published in every variant that applies: the emulator's one application owns
 * every definition, so the `owned`, `visible` and (deprecated) plain variants always, and the
 * (deprecated) `public` one when the definition is visible to other applications too.
 */
export function eventTypesOf(change: Change): CustomerEventType[] {
  if (change.kind === "customer") return [`customer.${change.action}`];
  const family = change.kind === "definition" ? "custom_attribute_definition" : "custom_attribute";
  const visibility =
    change.kind === "definition" ? change.definition.visibility : change.attribute.visibility;
  const variants = ["", "owned.", "visible.", ...(visibility === "VISIBILITY_HIDDEN" ? [] : ["public."])];
  return variants.map((v) => `customer.${family}.${v}${change.action}`).filter(isCustomerEventType);
}

/** The `data` of an event about a change. */
function dataOf(
  change: Change,
):
  | CustomerCreatedEventData
  | CustomerUpdatedEventData
  | CustomerDeletedEventData
  | CustomAttributeDefinitionEventData
  | CustomAttributeEventData {
  const deleted = DELETE_EVENTS_SAY_DELETED && change.action === "deleted" ? { deleted: true } : {};
  switch (change.kind) {
    case "customer": {
      const customer: Record<string, unknown> = { ...change.customer };
      for (const field of OMITTED_CUSTOMER_FIELDS[change.action]) delete customer[field];
      return {
        type: "customer",
        id: change.customer.id,
        ...deleted,
        object: { customer: customer as Customer },
      };
    }
    case "definition":
      return {
        type: "custom_attribute_definition",
        id: change.definition.key,
        ...deleted,
        object: { custom_attribute_definition: change.definition },
      };
    case "attribute":
      return {
        type: "custom_attribute",
        // As in Square's examples: the key, the kind of object it hangs on, and that object's id.
        id: `${change.attribute.key}:CUSTOMER:${change.customerId}`,
        ...deleted,
        object: { custom_attribute: change.attribute },
      };
  }
}

/** The event `eventId` of type `type` about a change, made for merchant `merchant` at `createdAt`. */
export function eventOf(
  change: Change,
  type: CustomerEventType,
  merchant: string,
  createdAt: string,
  eventId: string,
): CustomerWebhookEvent {
  return {
    merchant_id: merchant,
    type,
    event_id: eventId,
    created_at: createdAt,
    data: dataOf(change),
  } as CustomerWebhookEvent;
}

/**
 * A change for a subscription test of `type`: a made-up customer, definition or attribute value, never
 * one of the merchant's (a test must not look like a change to real data).
 */
export function sampleChange(type: CustomerEventType, at: string): Change {
  const action = type.slice(type.lastIndexOf(".") + 1) as "created" | "updated" | "deleted";
  const definition = {
    key: "emulator-test",
    name: "Emulator test",
    description: "A sample definition for a webhook test event",
    schema: {
      $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
    },
    visibility: "VISIBILITY_READ_ONLY",
    version: 1,
    created_at: at,
    updated_at: at,
  } as const;
  if (type.startsWith("customer.custom_attribute_definition.")) {
    return { kind: "definition", action, definition };
  }
  if (type.startsWith("customer.custom_attribute.")) {
    return {
      kind: "attribute",
      action: action === "deleted" ? "deleted" : "updated",
      customerId: "EMULATORTESTCUSTOMER000000",
      attribute: {
        key: definition.key,
        value: "sample",
        version: 1,
        visibility: definition.visibility,
        created_at: at,
        updated_at: at,
      },
    };
  }
  return {
    kind: "customer",
    action,
    customer: {
      id: "EMULATORTESTCUSTOMER000000",
      created_at: at,
      updated_at: at,
      given_name: "Webhook",
      family_name: "Test",
      email_address: "webhook.test@example.com",
      preferences: { email_unsubscribed: false },
      creation_source: "THIRD_PARTY",
      version: 0,
    },
  };
}

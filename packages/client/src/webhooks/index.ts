// @square-customers/client/webhooks: receiving Square's webhook deliveries. `unwrapWebhook` reads a
// Fetch-API `Request` (the same as `square.webhooks.unwrap`), `unwrapDelivery` a delivery's raw parts,
// `createFetchWebhookHandler` is a whole receiver in the Fetch standard; every check and answer is core's.
// For `node:http`, see `@square-customers/client/node`.
export type {
  CustomerEventType,
  CustomerWebhookEvent,
  UnknownWebhookEvent,
  WebhookEvent,
  WebhookFailureReason,
  WebhookSignatureInput,
} from "@square-customers/core";
export { verifyWebhookSignature } from "@square-customers/core";
export { createFetchWebhookHandler } from "./fetch-handler.js";
export {
  type UnwrapOptions,
  unwrapDelivery,
  unwrapWebhook,
  type WebhookDelivery,
  WebhookVerificationError,
} from "./unwrap.js";

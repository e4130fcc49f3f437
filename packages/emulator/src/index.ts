// @square-customers/emulator: a local, stateful emulator of Square's Customers API.
export { FAULT_KINDS, type FaultKind, type FaultRule, parseFaults } from "./api/faults.js";
export {
  type CorsOption,
  type Emulator,
  type EmulatorOptions,
  type EmulatorWebhooks,
  type RequestLogEntry,
  type Scope,
  startEmulator,
  type TokenGrant,
} from "./server.js";
export type { DeliveryAttempt, DeliveryState, DeliveryView } from "./webhooks/delivery-log.js";
export type { StartupSubscription } from "./webhooks/dispatcher.js";
export {
  parseWebhookFaults,
  WEBHOOK_FAULT_KINDS,
  type WebhookFaultKind,
  type WebhookFaultRule,
} from "./webhooks/faults.js";

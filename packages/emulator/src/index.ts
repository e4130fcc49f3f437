// @square-customers/emulator: a local, stateful emulator of Square's Customers API.
export type { Scope, TokenGrant } from "./api/auth.js";
export type { CorsOption } from "./api/cors.js";
export { FAULT_KINDS, type FaultKind, type FaultRule, parseFaults } from "./api/faults.js";
export type { RequestLogEntry } from "./api/request-log.js";
export type { Emulator, EmulatorOptions, EmulatorWebhooks } from "./emulator.js";
export { startEmulator } from "./server.js";
export type { DeliveryAttempt, DeliveryState, DeliveryView } from "./webhooks/delivery-log.js";
export {
  parseWebhookFaults,
  WEBHOOK_FAULT_KINDS,
  type WebhookFaultKind,
  type WebhookFaultRule,
} from "./webhooks/faults.js";
export type { StartupSubscription } from "./webhooks/settings.js";

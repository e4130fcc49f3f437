// @square-customers/emulator: a local, stateful emulator of Square's Customers API.
export { FAULT_KINDS, type FaultKind, type FaultRule, parseFaults } from "./faults.js";
export {
  type CorsOption,
  type Emulator,
  type EmulatorOptions,
  type RequestLogEntry,
  type Scope,
  startEmulator,
  type TokenGrant,
} from "./server.js";

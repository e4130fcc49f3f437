// What a fault that fired does, on either side of the handler. The decision is made once, up front
// (FaultInjector.decide), and travels with the request: before the handler, latency is waited out and
// the "not processed" kinds answer instead of it; after the handler, the "processed" kinds damage the
// answer as it is written.
import { errorDetail } from "./errors.js";
import type { FaultRule } from "./faults.js";
import { type AnswerDamage, envelope, type Reply } from "./http.js";

/** The answer a fault gives instead of running the handler (the request is not processed), if any. */
export function replyInsteadOfHandler(fault: FaultRule | undefined): Reply | undefined {
  switch (fault?.kind) {
    case "rate_limit":
      return envelope(
        429,
        [errorDetail("RATE_LIMIT_ERROR", "RATE_LIMITED", "Too many requests (injected fault).")],
        { "retry-after": String(Math.ceil(fault.retryAfterSeconds ?? 1)) },
      );
    case "server_error":
      return envelope(500, [
        errorDetail("API_ERROR", "INTERNAL_SERVER_ERROR", "Internal error (injected fault)."),
      ]);
    case "unavailable":
      return envelope(
        503,
        [errorDetail("API_ERROR", "SERVICE_UNAVAILABLE", "Service unavailable (injected fault).")],
        fault.retryAfterSeconds === undefined
          ? undefined
          : { "retry-after": String(Math.ceil(fault.retryAfterSeconds)) },
      );
    default:
      return undefined;
  }
}

/** How a fault damages the answer once the handler has run (the request was processed), if it does. */
export function damageAfterHandler(fault: FaultRule | undefined): AnswerDamage | undefined {
  switch (fault?.kind) {
    case "drop_connection":
    case "truncated_body":
    case "malformed_body":
      return fault.kind;
    default:
      return undefined;
  }
}

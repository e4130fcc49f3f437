// Who may use the dashboard and the admin API: only someone on this machine. They show every merchant's
// customers and switch faults, so they answer only requests that arrive over a loopback connection (the
// socket's address: a header could be forged). Two browser-borne attacks are closed as well: DNS
// rebinding (a foreign name resolving to 127.0.0.1) by requiring a loopback Host, and cross-site writes
// by requiring JSON bodies (a form cannot send them without a preflight, which the admin API never
// approves) and, when the browser names an Origin, the dashboard's own.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { errorDetail } from "../api/errors.js";
import { envelope, headerText, JSON_TYPE, type Reply } from "../api/http.js";

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x addresses (a dual-stack socket reports those). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  if (isIP(address) !== 6) return false;
  try {
    // The URL parser writes every spelling of an IPv6 address one way ("0:0:0:0:0:0:0:1" is "::1").
    return new URL(`http://[${address}]`).hostname === "[::1]";
  } catch {
    return false; // e.g. a zone id ("fe80::1%eth0"): not loopback anyway
  }
}

/** A Host header naming this machine: localhost (or a name under it), a 127.x address or [::1]. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return false;
  }
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  return isLoopbackAddress(hostname.startsWith("[") ? hostname.slice(1, -1) : hostname);
}

function forbidden(detail: string): Reply {
  return envelope(403, [errorDetail("INVALID_REQUEST_ERROR", "FORBIDDEN", detail)]);
}

/** Why an admin request is refused (not from this machine), or undefined when it may go ahead. */
export function adminRefusal(req: IncomingMessage): Reply | undefined {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    return forbidden("The emulator's dashboard and admin API answer only requests made on its own machine.");
  }
  if (!isLoopbackHost(headerText(req, "host"))) {
    return forbidden(
      "The emulator's dashboard and admin API must be called as localhost, 127.0.0.1 or [::1].",
    );
  }
  return undefined;
}

/** Why a change through the admin API is refused (not JSON, or from another origin), if it is. */
export function writeRefusal(req: IncomingMessage): Reply | undefined {
  const origin = headerText(req, "origin");
  if (origin !== undefined && origin !== `http://${headerText(req, "host")}`) {
    return forbidden("The admin API accepts changes only from the emulator's own dashboard.");
  }
  if (headerText(req, "content-type")?.split(";")[0]?.trim().toLowerCase() !== JSON_TYPE) {
    return envelope(415, [
      errorDetail("INVALID_REQUEST_ERROR", "UNSUPPORTED_MEDIA_TYPE", "Send changes as application/json."),
    ]);
  }
  return undefined;
}

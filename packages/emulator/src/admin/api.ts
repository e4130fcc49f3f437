// The dashboard (GET /, its files under ADMIN_PREFIX) and the admin API it reads (endpoints.ts), as
// opposed to Square's API. They answer only on loopback (guard.ts), never carry CORS headers, and stay out
// of the request log.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BodyTooLarge, type Reply, tooLargeReply, writeReply } from "../api/http.js";
import { dashboardFile, serveDashboardFile } from "./assets.js";
import {
  ADMIN_PREFIX,
  ADMIN_ROUTES,
  type AdminEnv,
  type AdminRoute,
  methodNotAllowed,
  notFound,
} from "./endpoints.js";
import { adminRefusal, writeRefusal } from "./guard.js";

/** The dashboard page and the admin API, as opposed to Square's API. */
export function isAdminPath(path: string): boolean {
  return path === "/" || path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

function match(route: AdminRoute, segments: string[]): string[] | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const args: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    if (route.segments[i] === "*") args.push(segments[i]!);
    else if (route.segments[i] !== segments[i]) return undefined;
  }
  return args;
}

/** Answers one dashboard or admin request (path from isAdminPath). */
export async function handleAdmin(
  env: AdminEnv,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
) {
  const headers = { "cache-control": "no-store" };
  const refusal = adminRefusal(req);
  if (refusal !== undefined) {
    writeReply(res, refusal, headers);
    return;
  }
  const file = dashboardFile(path);
  if (file !== undefined) {
    if (req.method === "GET") serveDashboardFile(res, file, headers);
    else writeReply(res, methodNotAllowed(req, ["GET"]), headers);
    return;
  }
  let segments: string[];
  try {
    segments = path
      .slice(ADMIN_PREFIX.length + 1)
      .split("/")
      .map(decodeURIComponent);
  } catch {
    writeReply(res, notFound(`No admin endpoint at ${path}.`), headers);
    return;
  }
  const candidates = ADMIN_ROUTES.map((route) => ({ route, args: match(route, segments) })).filter(
    (c) => c.args !== undefined,
  );
  const found = candidates.find((c) => c.route.method === req.method);
  if (found === undefined) {
    const reply =
      candidates.length === 0
        ? notFound(`No admin endpoint at ${path}.`)
        : methodNotAllowed(
            req,
            candidates.map((c) => c.route.method),
          );
    writeReply(res, reply, headers);
    return;
  }
  const refused = req.method === "GET" ? undefined : writeRefusal(req);
  if (refused !== undefined) {
    writeReply(res, refused, headers);
    return;
  }
  let reply: Reply | "streaming";
  try {
    reply = await found.route.handler(env, {
      req,
      res,
      args: found.args!,
      query: new URLSearchParams(query),
    });
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    reply = tooLargeReply(error, req, res);
  }
  if (reply !== "streaming") writeReply(res, reply, headers);
}

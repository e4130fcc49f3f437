import * as attributes from "./attributes.js";
import type { Handlers } from "./context.js";
import * as customers from "./customers.js";
import * as groups from "./groups.js";
import * as webhooks from "./webhooks.js";

/** One handler per operation of core's table; the type makes a missing or misnamed one a compile error. */
export const handlers: Handlers = { ...customers, ...groups, ...attributes, ...webhooks };

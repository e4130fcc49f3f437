// Run by deno.test.ts under Deno: the built client lists every customer of the emulator at the URL
// given, a page of two at a time, and prints the runtime and the ids it saw as one JSON line.
import { createSquareClient } from "../dist/index.js";

const [url, token] = Deno.args;
const square = createSquareClient({ accessToken: token, environment: url });
const ids = [];
for await (const customer of square.customers.list({ limit: 2 })) ids.push(customer.id);
console.log(JSON.stringify({ deno: Deno.version.deno, ids }));

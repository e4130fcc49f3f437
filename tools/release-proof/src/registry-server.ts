// Runs Verdaccio as a child of the proof: on 127.0.0.1, on a port the OS picks (so there is no race
// for a "free" port), reported on stdout as `listening <port>`. Started and stopped by registry.ts.
// Usage: node src/registry-server.ts <config.yaml>
import type { AddressInfo } from "node:net";
import { runServer } from "verdaccio";

/** A registry left behind by a crashed test must not live on: it stops by itself after this long. */
const MAX_LIFETIME_MS = 15 * 60_000;

const configPath = process.argv[2];
if (!configPath) {
  console.error("usage: node registry-server.ts <config.yaml>");
  process.exit(2);
}

const server = await runServer(configPath);
const stop = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// The parent holds our stdin open; when it goes away (even killed), stdin ends and so do we.
process.stdin.on("end", stop).resume();
setTimeout(stop, MAX_LIFETIME_MS).unref();

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening ${port}\n`);
});

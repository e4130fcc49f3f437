// The client kit once more, for Node: after `tsc -b`, its two entries (`./client-kit` and
// `./client-kit/create-many`) bundled from dist/ into dist/node/, a few files sharing one chunk, which the
// `node` export condition points at. The reason is start-up time: Node pays for every module file it
// loads (resolving, reading and compiling each one), and the kit is some 25 small modules by concept.
// Loaded as modules, a new Node process importing the promise client took 1.16-1.20× one importing ky
// alone; loaded from this build, 1.02-1.08× (interleaved fresh processes, as bench/client.ts measures).
// Bundlers (the `default` condition) get the module files, which they tree-shake; nothing here changes
// what the code does.
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist/node", { recursive: true, force: true });
await build({
  entryPoints: { "client-kit": "dist/client-kit.js", "create-many": "dist/create-many/index.js" },
  outdir: "dist/node",
  bundle: true,
  splitting: true,
  chunkNames: "shared-[hash]",
  format: "esm",
  platform: "neutral",
  target: "es2022",
  logLevel: "warning",
});

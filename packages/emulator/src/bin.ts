#!/usr/bin/env node
// square-customers-emulator's entry point: checks the Node version before anything else is loaded. The
// emulator is built on node:sqlite, and on an older Node the static import of it fails with a cryptic
// ERR_UNKNOWN_BUILTIN_MODULE before any code of ours runs; so this file imports nothing, and loads the
// command itself (cli.ts) only once the version is known to be new enough.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `square-customers-emulator: needs Node 22.19 or newer (this is ${process.version}).\n` +
      "  Install a newer Node (https://nodejs.org/) and run it again.\n",
  );
  process.exit(2);
}
await import("./cli.js");

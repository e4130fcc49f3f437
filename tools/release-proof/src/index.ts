// The release proof's building blocks; the proof itself is test/release.test.ts.
export { type Consumer, createConsumer, installedPackages, installedSize } from "./consumer.ts";
export { cleanEnv, run } from "./exec.ts";
export { type Registry, startRegistry } from "./registry.ts";
export { type Release, releaseToRegistry } from "./release.ts";
export { tarballFiles } from "./tarball.ts";

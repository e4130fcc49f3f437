import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const specPath = resolve(repoRoot, "spec/customers.openapi.json");
export const coreGeneratedDir = resolve(repoRoot, "packages/core/src/generated");
export const effectGeneratedDir = resolve(repoRoot, "packages/client-effect/src/generated");
export const clientGeneratedDir = resolve(repoRoot, "packages/client/src/generated");

import { defineConfig } from "vitest/config";

// Runs every package's own vitest config from the root (`pnpm vitest`); `npm test` runs them per
// package through turbo.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "tools/*"],
  },
});

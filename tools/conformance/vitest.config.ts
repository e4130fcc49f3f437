import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Calls go over HTTP to an emulator and some wait out a Retry-After; slow on a loaded 2-core machine,
    // never hung.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

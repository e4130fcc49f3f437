import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests talk HTTP to an emulator; on a loaded 2-core CI machine they can be slow, never hung.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

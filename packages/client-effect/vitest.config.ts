import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests talk HTTP to an emulator; on a loaded 2-core CI machine they can be slow, never hung.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Importing effect is most of each file's cost; no test file relies on module state of another
    // (each starts its own emulator and uses its own merchants), so the files share workers.
    isolate: false,
  },
});

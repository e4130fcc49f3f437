import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Importing effect is most of each file's cost; no test file relies on module state of another
    // (each starts its own emulator and uses its own merchants), so the files share workers.
    isolate: false,
  },
});

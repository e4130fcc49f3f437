import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // tsc over every block, then each runnable block as a child process: slow on a loaded 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 30_000,
  },
});

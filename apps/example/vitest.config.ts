import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Each test runs the CLI as a child process against an emulator on 127.0.0.1.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});

import { defineConfig } from "vitest/config";

// Each file starts a Chromium (installing it first on a machine without one) and an emulator or two.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Installing Chromium with apt-get on a fresh machine can take a few minutes.
    hookTimeout: 600_000,
  },
});

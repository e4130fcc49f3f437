import { defineConfig } from "vitest/config";

// Each file starts a Chromium (installing it first on a machine without one) and an emulator or two.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // A page under a loaded machine (CI runs every package's tests at once) can take seconds to answer.
    expect: { poll: { timeout: 10_000 } },
    // Installing Chromium with apt-get on a fresh machine can take a few minutes.
    hookTimeout: 600_000,
  },
});

import { defineConfig } from "vitest/config";

// One slow, end-to-end file: the release step (copy, install, build, version, publish) runs once in
// beforeAll; each case is one `npm install` from the local registry plus a short run.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 150_000,
    hookTimeout: 240_000,
  },
});

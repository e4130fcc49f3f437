// The tour, as `npm run demo` runs it: embedded emulator, 2,000 rows, injected failures.
import { startEmulator } from "@square-customers/emulator";
import { describe, expect, it } from "vitest";
import { run } from "./support.js";

describe("customers demo", () => {
  it("walks through every step, passes its own checks and exits 0", { timeout: 120_000 }, async () => {
    const result = await run(["demo"], { timeoutMs: 120_000 });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    for (const step of [
      "1. Create a customer",
      "2. Retrieve it",
      "3. Two edits race",
      "ConflictError",
      "4. Search with filters",
      "5. List everyone, page by page",
      "6. Import 2,000 customers",
      "7. Check: nothing lost, nothing duplicated",
      "8. Import the same file again",
      "9. Import through answers cut off mid-way",
      "10. Keep a mirror in sync with webhooks",
      "11. Check: the mirror equals the account",
    ]) {
      expect(result.stdout).toContain(step);
    }
    expect(result.stdout).not.toContain("✗");
    expect(result.stdout).toContain("✓ every row's reference_id is in the account (0 missing)");
    expect(result.stdout).toContain("✓ none of them twice (0 duplicated)");
    expect(result.stdout).toMatch(/survived .*HTTP 429.*HTTP 503/);
    expect(result.stdout).toContain("customers in account: +0");
    expect(result.stdout).toContain(
      "✓ all 300 rows reported created; customers in account: +300, none twice",
    );
    expect(result.stdout).toMatch(/✓ [\d,]+ customers, [\d,]+ fields compared: 0 differ/);
    expect(result.stdout).toMatch(/✓ 0 stale overwrites/);
    expect(result.stdout).toMatch(
      /survived, among .* [1-9]\d* duplicated, [1-9]\d* reordered, [1-9]\d* delayed and [1-9]\d* failed/,
    );
  });

  it("--url runs the tour on a running emulator that already has customers", {
    timeout: 60_000,
  }, async () => {
    // The merchant's starting count comes from the server, not from what the embedded emulator is seeded with.
    const emulator = await startEmulator({ port: 0, host: "127.0.0.1", seed: 7 });
    try {
      const result = await run(["demo", "--url", emulator.url, "--rows", "150"], { timeoutMs: 60_000 });
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
      expect(result.stdout).not.toContain("✗");
      expect(result.stdout).toContain("✓ customers in account: 8 + 150 = 158");
      // No delivery faults on a running emulator, but the mirror still converges.
      expect(result.stdout).toContain("delivery faults need the embedded emulator");
      expect(result.stdout).toMatch(/✓ [\d,]+ customers, [\d,]+ fields compared: 0 differ/);
    } finally {
      await emulator.close();
    }
  });
});

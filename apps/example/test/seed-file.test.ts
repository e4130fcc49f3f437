// What `customers export` writes, the emulator's --seed-file reads back: a user's exported directory
// becomes a test fixture, every customer with its id, its times and its fields.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Customer } from "@square-customers/core";
import { type Emulator, startEmulator } from "@square-customers/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./support.js";

let source: Emulator;
let dir: string;
const TOKEN = "seed-file-source";

beforeAll(async () => {
  source = await startEmulator({ port: 0, host: "127.0.0.1", seed: 40 });
  dir = await mkdtemp(join(tmpdir(), "customers-seed-file-"));
  // Beyond the samples, a customer with fields a CSV must quote.
  await fetch(`${source.url}/v2/customers`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      given_name: 'Quote, "Comma"',
      note: "two\nlines",
      address: { address_line_1: "1 Main St", country: "US" },
      tax_ids: { eu_vat: "IE3426675K" },
    }),
  });
});

afterAll(async () => {
  await source?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function customersOf(e: Emulator, token: string): Promise<Customer[]> {
  const out: Customer[] = [];
  let cursor: string | undefined;
  do {
    const url = new URL("/v2/customers", e.url);
    url.searchParams.set("sort_field", "CREATED_AT");
    if (cursor) url.searchParams.set("cursor", cursor);
    const page = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      customers?: Customer[];
      cursor?: string;
    };
    out.push(...(page.customers ?? []));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** What an export keeps of a customer: everything but memberships (segments belong to the merchant). */
function exported({ segment_ids: _s, group_ids: _g, ...rest }: Customer) {
  return rest;
}

describe("an exported directory as a seed file", () => {
  for (const format of ["csv", "json"] as const) {
    it(`in ${format.toUpperCase()} gives a new merchant the same customers`, async () => {
      const file = join(dir, `directory.${format}`);
      const exportRun = await run(["export", file, "--url", source.url], { token: TOKEN });
      expect(exportRun.code, exportRun.stderr).toBe(0);
      const seeded = await startEmulator({ port: 0, host: "127.0.0.1", seedFile: file });
      try {
        const original = await customersOf(source, TOKEN);
        expect(original).toHaveLength(41);
        const copy = await customersOf(seeded, "any-new-merchant");
        expect(copy.map(exported)).toEqual(original.map(exported));
      } finally {
        await seeded.close();
      }
    });
  }
});

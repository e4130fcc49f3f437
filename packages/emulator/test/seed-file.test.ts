// --seed-file: every new merchant starts with the customers of a CSV or JSON file in the formats
// `customers export` writes (core's reading rules), keeping the ids and times it has. A bad row stops
// the start with every problem named by file and line.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Customer } from "@square-customers/core";
import { customerToRow, EXPORT_COLUMNS } from "@square-customers/core/tooling";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";
import { client, emulator } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "square-emulator-seed-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** A CSV file as `customers export` writes it: the export columns, fields quoted where needed. */
function exportCsv(name: string, customers: ReadonlyArray<Record<string, unknown>>): string {
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = [
    EXPORT_COLUMNS.join(","),
    ...customers.map((c) =>
      customerToRow(c as Customer)
        .map(cell)
        .join(","),
    ),
  ];
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\r\n")}\r\n`);
  return file;
}

const ADA = {
  id: "ADA0000000000000000000000A",
  given_name: "Ada",
  family_name: "Lovelace",
  email_address: "ada@example.com",
  address: { address_line_1: "12 St James's Square", locality: "London", country: "GB" },
  note: 'Said "the engine", then, later:\nmore',
  created_at: "2020-01-02T03:04:05.000Z",
  updated_at: "2021-01-02T03:04:05.000Z",
  version: 4,
  creation_source: "IMPORT",
};
const GRACE = { given_name: "Grace", company_name: "Navy", phone_number: "+15555550123" };

describe("a seed file", () => {
  it("in CSV gives every new merchant its customers, with the ids and times it has", async () => {
    const file = exportCsv("two.csv", [ADA, GRACE]);
    const e = await emulator({ seedFile: file, seed: 1 });
    for (const token of ["seed-file-1", "seed-file-2"]) {
      const api = client(e, token);
      const listed = (await api("GET", "/v2/customers", { query: { sort_field: "CREATED_AT" } })).body
        .customers;
      // The sample customer (from `seed: 1`) and the file's two.
      expect(listed.map((c: { given_name: string }) => c.given_name).sort()).toEqual([
        "Ada",
        "Amelia",
        "Grace",
      ]);
      const ada = (await api("GET", `/v2/customers/${ADA.id}`)).body.customer;
      expect(ada).toMatchObject({
        ...ADA,
        address: { ...ADA.address },
        preferences: { email_unsubscribed: false },
      });
      const grace = listed.find((c: { given_name: string }) => c.given_name === "Grace");
      expect(grace).toMatchObject({ ...GRACE, version: 0, creation_source: "THIRD_PARTY" });
      expect(grace.created_at).toBe(grace.updated_at);
    }
  });

  it("in JSON, as `customers export file.json` writes it, reads the same", async () => {
    const file = join(dir, "two.json");
    writeFileSync(
      file,
      JSON.stringify(
        [
          { ...ADA, group_ids: ["G1"], segment_ids: ["S1"], preferences: { email_unsubscribed: false } },
          { ...GRACE, address: null },
        ],
        null,
        2,
      ),
    );
    const e = await emulator({ seedFile: file });
    const api = client(e, "seed-file-json");
    const ada = (await api("GET", `/v2/customers/${ADA.id}`)).body.customer;
    expect(ada).toMatchObject({ ...ADA, address: { ...ADA.address } });
    expect(ada.group_ids).toBeUndefined();
    const listed = (await api("GET", "/v2/customers")).body.customers;
    expect(listed.map((c: { given_name: string }) => c.given_name)).toEqual(["Ada", "Grace"]);
  });

  it("gives customers without an id the same id in every run", async () => {
    const file = exportCsv("no-ids.csv", [GRACE]);
    const ids = [];
    for (let run = 0; run < 2; run++) {
      const e = await emulator({ seedFile: file });
      ids.push((await client(e, "seed-file-stable")("GET", "/v2/customers")).body.customers[0].id);
    }
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toMatch(/^[0-9A-Z]{26}$/);
  });

  it("with bad rows stops the start, naming every problem by file and line", async () => {
    const file = exportCsv("bad.csv", [
      ADA,
      { given_name: "Bad", email_address: "not-an-email" },
      { given_name: "Late", created_at: "yesterday" },
      { ...GRACE, id: ADA.id },
      { note: "nobody" },
    ]);
    const failure = startEmulator({ seedFile: file });
    await expect(failure).rejects.toThrow(/the seed file has 4 problems/);
    const message = await failure.catch((error: Error) => error.message);
    // Ada's note spans two lines, so the rows start on lines 2, 4, 5, 6 and 7.
    expect(message).toContain(`${file}:4: email_address`);
    expect(message).toContain(`${file}:5: created_at "yesterday" is not an RFC 3339 timestamp`);
    expect(message).toContain(`${file}:6: id ${ADA.id} is already the id of line 2`);
    expect(message).toMatch(new RegExp(`${file}:7: .*given_name`));
  });

  it("whose structure is broken is refused at its first line", async () => {
    const unknown = join(dir, "unknown.csv");
    writeFileSync(unknown, "given_name,shoe_size\nAda,9\n");
    await expect(startEmulator({ seedFile: unknown })).rejects.toThrow(
      `${unknown}:1: unknown column "shoe_size"`,
    );
    const notArray = join(dir, "object.json");
    writeFileSync(notArray, '{"given_name": "Ada"}');
    await expect(startEmulator({ seedFile: notArray })).rejects.toThrow(
      `${notArray}:1: expected a JSON array`,
    );
    await expect(startEmulator({ seedFile: join(dir, "missing.csv") })).rejects.toThrow(
      /cannot read the seed file .*missing\.csv: ENOENT/,
    );
  });

  it("with a bad row keeps the command line from starting: exit 2, the problems on stderr", async () => {
    const file = exportCsv("bad-cli.csv", [{ given_name: "Bad", phone_number: "12" }]);
    const child = spawn(process.execPath, [bin, "--port", "0", "--seed-file", file], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`${file}:2: phone_number`);
  });
});

// Deterministic sample data for a new merchant: the read-only segments every merchant has, (with
// `seed: N`) N customers whose ids, names and timestamps depend only on the merchant and N, so tests and
// demos see the same data on every run, and the customers of a seed file (seed-file.ts).
import type { Customer, CustomerSegment } from "@square-customers/core";
import { SEEDED_CREATION_SOURCES, SEGMENTS } from "../square-choices.js";
import { insertCustomer, newCustomer } from "./customer-records.js";
import { stableId } from "./ids.js";
import { type SeedCustomer, seedFileCustomer } from "./seed-file.js";
import type { Store } from "./store.js";

const GIVEN = [
  "Amelia",
  "Ben",
  "Chloé",
  "Dev",
  "Eun-ji",
  "Farah",
  "Gabriel",
  "Hana",
  "Ivan",
  "Jamal",
  "Kai",
  "Lena",
];
const FAMILY = [
  "Earhart",
  "Okafor",
  "Lindqvist",
  "Patel",
  "Kim",
  "Haddad",
  "Moreau",
  "Sato",
  "Novak",
  "Reyes",
];
const COMPANIES = ["Acme Bakery", "Blue Bottle Repairs", "Corner Books", "Delta Dental"];

/** Seeded data starts here, one minute apart, so CREATED_AT order is the seeding order. */
const SEED_EPOCH_MS = Date.UTC(2024, 0, 1);

/** The ids of a merchant's segments (stable per merchant, in Square's `MERCHANT.NAME` style). */
export function segmentIds(merchant: string): string[] {
  return SEGMENTS.map((s) => `${merchant.slice(0, 13)}.${s.suffix}`);
}

/** Which segments seeded customer `i` belongs to. */
function segmentsOf(merchant: string, i: number): string[] {
  const [reachable, loyal, lapsed] = segmentIds(merchant) as [string, string, string];
  const out: string[] = [];
  if (i % 2 === 0) out.push(reachable);
  if (i % 5 === 0) out.push(loyal);
  if (i % 7 === 3) out.push(lapsed);
  return out;
}

/** The i-th sample customer of a merchant. */
export function sampleCustomer(merchant: string, i: number): Customer {
  const given = GIVEN[i % GIVEN.length]!;
  const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
  const input: Record<string, unknown> = {
    given_name: given,
    family_name: family,
    email_address: `${given}.${family}.${i}@example.com`
      .toLowerCase()
      .normalize("NFD")
      .replace(/[^\x20-\x7e]/g, ""),
    phone_number: `+1555${String(i % 10_000_000).padStart(7, "0")}`,
    reference_id: `SEED-${i}`,
  };
  if (i % 3 === 0) input.company_name = COMPANIES[i % COMPANIES.length];
  if (i % 4 === 0) input.birthday = `${1960 + (i % 40)}-${String((i % 12) + 1).padStart(2, "0")}-15`;
  if (i % 6 === 0) {
    input.address = {
      address_line_1: `${100 + i} Market St`,
      locality: "San Francisco",
      postal_code: "94103",
      country: "US",
    };
  }
  if (i % 10 === 0) input.note = "Seeded sample customer.";
  return newCustomer(input, SEED_EPOCH_MS + i * 60_000, {
    id: stableId(merchant, "customer", i),
    creationSource: SEEDED_CREATION_SOURCES[i % SEEDED_CREATION_SOURCES.length]!,
    segmentIds: segmentsOf(merchant, i),
  });
}

/** What every new merchant starts with. */
export interface MerchantSeed {
  /** How many sample customers (`seed: N`). */
  readonly samples: number;
  /** The customers of a seed file, after the samples. */
  readonly customers: readonly SeedCustomer[];
}

/** Gives a new merchant its segments, its sample customers and a seed file's (one transaction). */
export function seedMerchant(store: Store, merchant: string, seed: MerchantSeed): void {
  store.transaction(() => {
    const at = new Date(SEED_EPOCH_MS).toISOString();
    SEGMENTS.forEach((s, i) => {
      const segment: CustomerSegment = {
        id: segmentIds(merchant)[i]!,
        name: s.name,
        created_at: at,
        updated_at: at,
      };
      store.putObject(merchant, "segment", "", segment.id!, JSON.stringify(segment));
    });
    for (let i = 0; i < seed.samples; i++) insertCustomer(store, merchant, sampleCustomer(merchant, i));
    const now = store.nowMs();
    seed.customers.forEach((c, i) => {
      insertCustomer(store, merchant, seedFileCustomer(merchant, c, i, now));
    });
  });
}

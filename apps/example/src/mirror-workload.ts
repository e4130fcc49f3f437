// Random changes to an account, made the way other people's code makes them (the point of sale, the
// dashboard, other apps): creates, sparse updates, deletes, the bulk calls, group membership and custom
// attributes. The mirror's demo, its convergence tests and its benchmark drive the account with this.
// The same seed gives the same sequence of changes.
import type { SquareClient } from "@square-customers/client";
import { seededRandom } from "@square-customers/emulator/testing";

// The tests make workloads of their own from the same generator.
export { seededRandom };

/** What a workload may do, each with its weight. */
const CHANGE_WEIGHTS = {
  create: 14,
  update: 24,
  delete: 7,
  bulkCreate: 5,
  bulkUpdate: 5,
  bulkDelete: 4,
  groupMembership: 21,
  attributeUpsert: 12,
  attributeDelete: 5,
  definitionUpdate: 3,
} as const;

export type ChangeKind = keyof typeof CHANGE_WEIGHTS;

export interface WorkloadOptions {
  /** How many changes (API calls that change something). */
  readonly changes: number;
  /** Seeds the choices. */
  readonly seed: number;
  /** Called after each change. */
  readonly onChange?: (kind: ChangeKind, done: number) => void;
}

/** The groups and the custom attribute definition a workload changes memberships and values of. */
export interface WorkloadSetup {
  readonly groupIds: readonly string[];
  readonly attributeKey: string;
}

const STRING_SCHEMA = {
  $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
};

/** Creates three groups and one custom attribute definition (with a key unique to `seed`). */
export async function prepareWorkload(square: SquareClient, seed: number): Promise<WorkloadSetup> {
  const groupIds: string[] = [];
  for (const name of ["Regulars", "Newsletter", "Wholesale"]) {
    const { group } = await square.customers.groups.create({ group: { name: `${name} ${seed}` } });
    groupIds.push(group.id);
  }
  const attributeKey = `mirror-workload-${seed}`;
  await square.customers.customAttributeDefinitions.create({
    custom_attribute_definition: {
      key: attributeKey,
      name: `Favourite drink ${seed}`,
      description: "What they like to drink",
      schema: STRING_SCHEMA,
      visibility: "VISIBILITY_READ_WRITE_VALUES",
    },
  });
  return { groupIds, attributeKey };
}

/**
 * Makes `options.changes` random changes to the customers of `liveIds` (which it keeps up to date: new
 * customers join, deleted ones leave), one after another. Every profile keeps a given name, so list and
 * search always show it. Returns how many changes of each kind it made.
 */
export async function runWorkload(
  square: SquareClient,
  setup: WorkloadSetup,
  liveIds: string[],
  options: WorkloadOptions,
): Promise<Record<ChangeKind, number>> {
  const next = seededRandom(options.seed);
  const made = Object.fromEntries(Object.keys(CHANGE_WEIGHTS).map((k) => [k, 0])) as Record<
    ChangeKind,
    number
  >;
  const workload = new Workload(square, setup, liveIds, next);
  for (let i = 1; i <= options.changes; i++) {
    // Too few customers left to pick from: the next change creates one.
    const kind = liveIds.length < 8 ? "create" : pickKind(next());
    await workload[kind](i);
    made[kind]++;
    options.onChange?.(kind, i);
  }
  return made;
}

function pickKind(roll: number): ChangeKind {
  const total = Object.values(CHANGE_WEIGHTS).reduce((a, b) => a + b, 0);
  let left = roll * total;
  for (const [kind, weight] of Object.entries(CHANGE_WEIGHTS) as Array<[ChangeKind, number]>) {
    left -= weight;
    if (left < 0) return kind;
  }
  return "update";
}

const FIRST_NAMES = [
  "Ada",
  "Grace",
  "Alan",
  "Edsger",
  "Barbara",
  "Donald",
  "Frances",
  "Ken",
  "Radia",
  "John",
];
const DRINKS = ["tea", "coffee", "cocoa", "water", "lemonade", "kombucha"];

/** One method per change kind; each makes exactly one API call that changes something. */
class Workload {
  constructor(
    private readonly square: SquareClient,
    private readonly setup: WorkloadSetup,
    private readonly liveIds: string[],
    private readonly next: () => number,
  ) {}

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Removes and returns `n` distinct live ids. */
  private take(n: number): string[] {
    const taken: string[] = [];
    for (let i = 0; i < n && this.liveIds.length > 0; i++) {
      taken.push(...this.liveIds.splice(Math.floor(this.next() * this.liveIds.length), 1));
    }
    return taken;
  }

  private newProfile(i: number) {
    const given_name = this.pick(FIRST_NAMES);
    return {
      given_name,
      family_name: `Mirror${i}`,
      email_address: `${given_name.toLowerCase()}.${i}@example.com`,
    };
  }

  /** A sparse update: a few fields set, sometimes one cleared. */
  private edit(i: number) {
    const fields = [
      { nickname: `Nick ${i}` },
      { note: `Changed by change ${i}` },
      { note: null },
      { phone_number: `+1 415 555 ${String(1000 + (i % 9000)).padStart(4, "0")}` },
      { company_name: `Company ${i}` },
      { address: { locality: this.pick(["Paris", "Lagos", "Lima", "Osaka"]), country: "FR" as const } },
      { given_name: this.pick(FIRST_NAMES) },
    ];
    return { ...this.pick(fields), ...this.pick(fields) };
  }

  async create(i: number): Promise<void> {
    const { customer } = await this.square.customers.create(this.newProfile(i));
    this.liveIds.push(customer.id);
  }

  async update(i: number): Promise<void> {
    await this.square.customers.update(this.pick(this.liveIds), this.edit(i));
  }

  async delete(): Promise<void> {
    const [id] = this.take(1);
    await this.square.customers.delete(id!);
  }

  async bulkCreate(i: number): Promise<void> {
    const size = 2 + Math.floor(this.next() * 4);
    const entries = Object.fromEntries(
      Array.from({ length: size }, (_, k) => [`w${i}-${k}`, this.newProfile(i * 10 + k)]),
    );
    const { responses } = await this.square.customers.bulkCreate({ customers: entries });
    for (const answer of Object.values(responses ?? {})) {
      if (answer.customer) this.liveIds.push(answer.customer.id);
    }
  }

  async bulkUpdate(i: number): Promise<void> {
    const ids = new Set(
      Array.from({ length: 2 + Math.floor(this.next() * 3) }, () => this.pick(this.liveIds)),
    );
    await this.square.customers.bulkUpdate({
      customers: Object.fromEntries([...ids].map((id) => [id, this.edit(i)])),
    });
  }

  async bulkDelete(): Promise<void> {
    await this.square.customers.bulkDelete({ customer_ids: this.take(2 + Math.floor(this.next() * 2)) });
  }

  /** Adds a customer to a group, or removes it if it is a member already (so something always changes). */
  async groupMembership(): Promise<void> {
    const id = this.pick(this.liveIds);
    const groupId = this.pick(this.setup.groupIds);
    const { customer } = await this.square.customers.retrieve(id);
    if (customer.group_ids?.includes(groupId)) await this.square.customers.groups.remove(id, groupId);
    else await this.square.customers.groups.add(id, groupId);
  }

  async attributeUpsert(): Promise<void> {
    await this.square.customers.customAttributes.upsert(this.pick(this.liveIds), this.setup.attributeKey, {
      custom_attribute: { value: this.pick(DRINKS) },
    });
  }

  /** Deletes a value if the customer has one (a miss is not a change, so it sets one instead). */
  async attributeDelete(): Promise<void> {
    const id = this.pick(this.liveIds);
    const { custom_attributes } = await this.square.customers.customAttributes.list(id);
    if (custom_attributes?.some((a) => a.key === this.setup.attributeKey)) {
      await this.square.customers.customAttributes.delete(id, this.setup.attributeKey);
    } else {
      await this.attributeUpsert();
    }
  }

  async definitionUpdate(i: number): Promise<void> {
    await this.square.customers.customAttributeDefinitions.update(this.setup.attributeKey, {
      custom_attribute_definition: { description: `Revision ${i}` },
    });
  }
}

// Every one of the 31 operations succeeds against the emulator over HTTP, through the friendly names,
// and returns decoded data that matches what was sent.
import { assert, layer } from "@effect/vitest";
import { createSpecValidator } from "@square-customers/spec-check";
import { Effect } from "effect";
import { SquareClient } from "../src/index.js";
import { clientLayer, Emulator, recordingHttp, type SentRequest } from "./support.js";

/** Every request the tests below send, checked against the spec by the last test. */
const sent: SentRequest[] = [];
const client = () => clientLayer({}, recordingHttp(sent));

const STRING_SCHEMA = {
  $ref: "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common.String",
};

layer(Emulator.layer(), { excludeTestServices: true })("operations", (it) => {
  it.effect("customers: create, retrieve, update, list, search, delete", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { customer } = yield* customers.create({
        given_name: "Amelia",
        family_name: "Earhart",
        email_address: "amelia@example.com",
        birthday: "07-24",
      });
      assert.strictEqual(customer?.given_name, "Amelia");
      assert.strictEqual(customer?.birthday, "0000-07-24");
      const id = customer!.id!;

      const retrieved = yield* customers.retrieve(id);
      assert.strictEqual(retrieved.customer?.email_address, "amelia@example.com");

      const updated = yield* customers.update(id, { nickname: "AE", version: customer!.version! });
      assert.strictEqual(updated.customer?.nickname, "AE");
      assert.strictEqual(updated.customer?.version, customer!.version! + 1);

      const listed = yield* customers.list({ sort_field: "CREATED_AT", count: true });
      assert.deepStrictEqual(
        listed.customers?.map((c) => c.id),
        [id],
      );
      assert.strictEqual(listed.count, 1);

      const found = yield* customers.search({ query: { filter: { email_address: { fuzzy: "example" } } } });
      assert.deepStrictEqual(
        found.customers?.map((c) => c.id),
        [id],
      );

      yield* customers.delete(id);
      const after = yield* customers.list();
      assert.isUndefined(after.customers);
    }).pipe(Effect.provide(client())),
  );

  it.effect("customers: bulk create, retrieve, update, delete", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const created = yield* customers.bulkCreate({
        customers: { "key-a": { given_name: "Ada" }, "key-b": { given_name: "Grace" } },
      });
      const ids = ["key-a", "key-b"].map((k) => created.responses?.[k]?.customer?.id ?? "");
      assert.lengthOf(ids.filter(Boolean), 2);

      const retrieved = yield* customers.bulkRetrieve({ customer_ids: ids });
      assert.deepStrictEqual(
        ids.map((id) => retrieved.responses?.[id]?.customer?.given_name),
        ["Ada", "Grace"],
      );

      const updated = yield* customers.bulkUpdate({
        customers: { [ids[0]!]: { note: "first" }, [ids[1]!]: { note: "second" } },
      });
      assert.strictEqual(updated.responses?.[ids[1]!]?.customer?.note, "second");

      const deleted = yield* customers.bulkDelete({ customer_ids: ids });
      assert.deepStrictEqual(Object.keys(deleted.responses ?? {}).sort(), [...ids].sort());
      assert.isUndefined((yield* customers.list()).customers);
    }).pipe(Effect.provide(client())),
  );

  it.effect("groups: create, list, retrieve, update, add, remove, delete", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { group } = yield* customers.groups.create({ group: { name: "VIP" } });
      const groupId = group!.id!;
      assert.deepStrictEqual(
        (yield* customers.groups.list()).groups?.map((g) => g.id),
        [groupId],
      );
      assert.strictEqual((yield* customers.groups.retrieve(groupId)).group?.name, "VIP");
      assert.strictEqual(
        (yield* customers.groups.update(groupId, { group: { name: "VIP+" } })).group?.name,
        "VIP+",
      );

      const customerId = (yield* customers.create({ given_name: "Grace" })).customer!.id!;
      yield* customers.groups.add(customerId, groupId);
      assert.deepStrictEqual((yield* customers.retrieve(customerId)).customer?.group_ids, [groupId]);
      yield* customers.groups.remove(customerId, groupId);
      assert.deepStrictEqual((yield* customers.retrieve(customerId)).customer?.group_ids ?? [], []);

      yield* customers.groups.delete(groupId);
      assert.isUndefined((yield* customers.groups.list()).groups);
    }).pipe(Effect.provide(client())),
  );

  it.effect("segments: list, retrieve", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { segments } = yield* customers.segments.list();
      assert.isAbove(segments?.length ?? 0, 0);
      const first = segments![0]!;
      assert.deepStrictEqual((yield* customers.segments.retrieve(first.id!)).segment, first);
    }).pipe(Effect.provide(client())),
  );

  it.effect("cards (deprecated): create, delete", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const customerId = (yield* customers.create({ given_name: "Katherine" })).customer!.id!;
      const { card } = yield* customers.cards.create(customerId, {
        card_nonce: "cnon:card-nonce-ok",
        cardholder_name: "Katherine Johnson",
      });
      assert.strictEqual(card?.cardholder_name, "Katherine Johnson");
      yield* customers.cards.delete(customerId, card!.id!);
      const again = yield* customers.cards.delete(customerId, card!.id!).pipe(Effect.flip);
      assert.strictEqual(again._tag, "SquareNotFound");
    }).pipe(Effect.provide(client())),
  );

  it.effect("custom attribute definitions and values: all ten operations", () =>
    Effect.gen(function* () {
      const { customers } = yield* SquareClient;
      const { customAttributeDefinitions: definitions, customAttributes: attributes } = customers;
      const key = "favorite_color";
      const created = yield* definitions.create({
        custom_attribute_definition: {
          key,
          name: "Favorite color",
          description: "The customer's favorite color",
          schema: STRING_SCHEMA,
          visibility: "VISIBILITY_READ_WRITE_VALUES",
        },
      });
      assert.strictEqual(created.custom_attribute_definition?.key, key);
      assert.deepStrictEqual(
        (yield* definitions.list()).custom_attribute_definitions?.map((d) => d.key),
        [key],
      );
      assert.strictEqual(
        (yield* definitions.retrieve(key)).custom_attribute_definition?.name,
        "Favorite color",
      );
      const renamed = yield* definitions.update(key, { custom_attribute_definition: { name: "Colour" } });
      assert.strictEqual(renamed.custom_attribute_definition?.name, "Colour");

      const customerId = (yield* customers.create({ given_name: "Hedy" })).customer!.id!;
      const upserted = yield* attributes.upsert(customerId, key, { custom_attribute: { value: "blue" } });
      assert.strictEqual(upserted.custom_attribute?.value, "blue");
      const listed = yield* attributes.list(customerId, { with_definitions: true });
      assert.deepStrictEqual(
        listed.custom_attributes?.map((a) => [a.key, a.value, a.definition?.name]),
        [[key, "blue", "Colour"]],
      );
      const bulk = yield* attributes.bulkUpsert({
        values: { one: { customer_id: customerId, custom_attribute: { key, value: "green" } } },
      });
      assert.strictEqual(bulk.values?.one?.custom_attribute?.value, "green");
      assert.strictEqual((yield* attributes.retrieve(customerId, key)).custom_attribute?.value, "green");

      yield* attributes.delete(customerId, key);
      assert.isUndefined((yield* attributes.list(customerId)).custom_attributes);
      yield* definitions.delete(key);
      assert.isUndefined((yield* definitions.list()).custom_attribute_definitions);
    }).pipe(Effect.provide(client())),
  );
  it.effect("every request sent above is one the spec allows, headers included (contract)", () =>
    Effect.sync(() => {
      const spec = createSpecValidator();
      const operationIds = new Set(sent.map((r) => spec.matchOperation(r.method, r.url)));
      assert.strictEqual(operationIds.size, 31);
      // Headers too: a body declared as JSON (Content-Type), the bearer token, Square-Version, Accept.
      for (const request of sent)
        assert.isNull(spec.validateRequest(request), `${request.method} ${request.url}`);
      assert.isTrue(sent.some((request) => request.body !== undefined));
    }),
  );
});

// The friendly names both clients give the operations (`square.customers.groups.add(…)`): a project
// choice, the only hand-written part of the method surface. The generator writes them into core as
// `methodNames` (what the clients interpret at run time) and into each client as one interface per group
// (`CustomersMethods`, `CustomerGroupsMethods`, …) with typed, documented signatures.

/** A group of methods: its interface's name, its methods (name → operationId), its nested groups. */
export interface MethodGroup {
  readonly interface: string;
  readonly methods: Readonly<Record<string, string>>;
  readonly groups?: Readonly<Record<string, MethodGroup>>;
}

export const methodTree: Readonly<Record<string, MethodGroup>> = {
  customers: {
    interface: "CustomersMethods",
    methods: {
      list: "ListCustomers",
      create: "CreateCustomer",
      retrieve: "RetrieveCustomer",
      update: "UpdateCustomer",
      delete: "DeleteCustomer",
      search: "SearchCustomers",
      bulkCreate: "BulkCreateCustomers",
      bulkRetrieve: "BulkRetrieveCustomers",
      bulkUpdate: "BulkUpdateCustomers",
      bulkDelete: "BulkDeleteCustomers",
    },
    groups: {
      groups: {
        interface: "CustomerGroupsMethods",
        methods: {
          list: "ListCustomerGroups",
          create: "CreateCustomerGroup",
          retrieve: "RetrieveCustomerGroup",
          update: "UpdateCustomerGroup",
          delete: "DeleteCustomerGroup",
          add: "AddGroupToCustomer",
          remove: "RemoveGroupFromCustomer",
        },
      },
      segments: {
        interface: "CustomerSegmentsMethods",
        methods: { list: "ListCustomerSegments", retrieve: "RetrieveCustomerSegment" },
      },
      cards: {
        interface: "CustomerCardsMethods",
        methods: { create: "CreateCustomerCard", delete: "DeleteCustomerCard" },
      },
      customAttributeDefinitions: {
        interface: "CustomerCustomAttributeDefinitionsMethods",
        methods: {
          list: "ListCustomerCustomAttributeDefinitions",
          create: "CreateCustomerCustomAttributeDefinition",
          retrieve: "RetrieveCustomerCustomAttributeDefinition",
          update: "UpdateCustomerCustomAttributeDefinition",
          delete: "DeleteCustomerCustomAttributeDefinition",
        },
      },
      customAttributes: {
        interface: "CustomerCustomAttributesMethods",
        methods: {
          list: "ListCustomerCustomAttributes",
          retrieve: "RetrieveCustomerCustomAttribute",
          upsert: "UpsertCustomerCustomAttribute",
          delete: "DeleteCustomerCustomAttribute",
          bulkUpsert: "BulkUpsertCustomerCustomAttributes",
        },
      },
    },
  },
  webhooks: {
    interface: "WebhooksMethods",
    methods: {},
    groups: {
      eventTypes: {
        interface: "WebhookEventTypesMethods",
        methods: { list: "ListWebhookEventTypes" },
      },
      subscriptions: {
        interface: "WebhookSubscriptionsMethods",
        methods: {
          list: "ListWebhookSubscriptions",
          create: "CreateWebhookSubscription",
          retrieve: "RetrieveWebhookSubscription",
          update: "UpdateWebhookSubscription",
          delete: "DeleteWebhookSubscription",
          updateSignatureKey: "UpdateWebhookSubscriptionSignatureKey",
          test: "TestWebhookSubscription",
        },
      },
    },
  },
};

/** Every group with its place in the tree (`["customers", "groups"]`), parents before children. */
export function eachMethodGroup(
  tree: Readonly<Record<string, MethodGroup>> = methodTree,
  parent: readonly string[] = [],
): Array<{ path: string[]; group: MethodGroup }> {
  return Object.entries(tree).flatMap(([name, group]) => [
    { path: [...parent, name], group },
    ...eachMethodGroup(group.groups ?? {}, [...parent, name]),
  ]);
}

// What one API request changed, written down by its handler right after each write, so that webhook
// events can follow once the request's transaction has committed (api/pipeline.ts). The list lives and dies
// with the request: a transaction that rolls back takes its changes with it, and nothing is announced.
import type { CustomAttribute, CustomAttributeDefinition, Customer } from "@square-customers/core";

export type Change =
  | {
      readonly kind: "customer";
      readonly action: "created" | "updated" | "deleted";
      /** After the change; for a delete, as it was. */
      readonly customer: Customer;
    }
  | {
      readonly kind: "definition";
      readonly action: "created" | "updated" | "deleted";
      readonly definition: CustomAttributeDefinition;
    }
  | {
      readonly kind: "attribute";
      readonly action: "updated" | "deleted";
      readonly customerId: string;
      /** As the API shows it (with the definition's `visibility`). */
      readonly attribute: CustomAttribute;
    };

/** A request's changes, in the order they were written. Each object is copied as it is at that moment. */
export class Changes {
  readonly list: Change[] = [];

  customer(action: "created" | "updated" | "deleted", customer: Customer): void {
    this.list.push({ kind: "customer", action, customer: structuredClone(customer) });
  }

  definition(action: "created" | "updated" | "deleted", definition: CustomAttributeDefinition): void {
    this.list.push({ kind: "definition", action, definition: structuredClone(definition) });
  }

  attribute(action: "updated" | "deleted", customerId: string, attribute: CustomAttribute): void {
    this.list.push({ kind: "attribute", action, customerId, attribute: structuredClone(attribute) });
  }
}

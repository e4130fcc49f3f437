import type { ValidationIssue } from "./issue.js";

/** A request-side schema as plain data: what pre-flight validation checks a value against. */
export interface SchemaNode {
  readonly ref?: string;
  readonly type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  readonly enum?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly readOnly?: boolean;
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly required?: readonly string[];
}

/** A rule Square states in prose for one schema: adds an issue for each problem of `value` (at `field`). */
export type SchemaRule = (value: Record<string, unknown>, field: string, issues: ValidationIssue[]) => void;

/**
 * What a request body is checked against: the constraint table (request-side schemas by name), the rules
 * Square states in prose (by the schema they apply to), and how to word the accepted values of enums too
 * long to list (by schema name). Query parameters need none of it.
 */
export interface RequestRules {
  readonly schemas: Readonly<Record<string, SchemaNode>>;
  readonly rules: Readonly<Record<string, SchemaRule>>;
  readonly enumHints: Readonly<Record<string, string>>;
}

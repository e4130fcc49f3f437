// Rules Square states in prose rather than in schema keywords (spec/BEHAVIOUR.md), by the schema they apply
// to: the schema walk runs the rule of each schema it checks.
import { join, label } from "./field-path.js";
import { birthdayProblem, isValidEmailAddress, isValidPhoneNumber, parseRfc3339 } from "./formats.js";
import type { SchemaRule } from "./schema-node.js";

/**
 * How to describe the accepted values of enums too long to list in a message, by schema name. Each says
 * what a value looks like, so the message can say "is \"XX\", not <hint>".
 */
export const ENUM_HINTS: Readonly<Record<string, string>> = {
  Country: "a two-letter country code (ISO 3166-1 alpha-2, such as US, GB or DE)",
  Currency: "a three-letter currency code (ISO 4217, such as USD or EUR)",
};

type Rule = SchemaRule;

/** The fields of which a new customer profile needs at least one. */
export const CUSTOMER_IDENTITY_FIELDS = [
  "given_name",
  "family_name",
  "company_name",
  "email_address",
  "phone_number",
] as const;

const atLeastOneIdentityField: Rule = (value, field, issues) => {
  const present = CUSTOMER_IDENTITY_FIELDS.some(
    (key) => typeof value[key] === "string" && value[key].trim() !== "",
  );
  if (!present) {
    issues.push({
      field: label(field),
      code: "MISSING_REQUIRED_PARAMETER",
      message: `at least one of ${CUSTOMER_IDENTITY_FIELDS.join(", ")} is required`,
    });
  }
};

const contactFormats: Rule = (value, field, issues) => {
  const email = value.email_address;
  if (typeof email === "string" && !isValidEmailAddress(email)) {
    issues.push({
      field: join(field, "email_address"),
      code: "INVALID_EMAIL_ADDRESS",
      message: "email_address is not a valid email address",
    });
  }
  const phone = value.phone_number;
  if (typeof phone === "string" && !isValidPhoneNumber(phone)) {
    issues.push({
      field: join(field, "phone_number"),
      code: "INVALID_PHONE_NUMBER",
      message: "phone_number must have 9 to 16 digits, optionally after a leading +",
    });
  }
  const birthday = value.birthday;
  const problem = typeof birthday === "string" ? birthdayProblem(birthday) : undefined;
  if (problem !== undefined) {
    issues.push({ field: join(field, "birthday"), code: "INVALID_TIME", message: `birthday ${problem}` });
  }
};

const exactOrFuzzy: Rule = (value, field, issues) => {
  if (value.exact != null && value.fuzzy != null) {
    issues.push({
      field: label(field),
      code: "CONFLICTING_PARAMETERS",
      message: `${label(field)} takes exact or fuzzy, not both`,
    });
  }
};

const timeRange: Rule = (value, field, issues) => {
  for (const key of ["start_at", "end_at"] as const) {
    const time = value[key];
    if (typeof time === "string" && parseRfc3339(time) === undefined) {
      issues.push({
        field: join(field, key),
        code: "INVALID_TIME",
        message: `${join(field, key)} must be an RFC 3339 timestamp`,
      });
    }
  }
  const start = typeof value.start_at === "string" ? parseRfc3339(value.start_at) : undefined;
  const end = typeof value.end_at === "string" ? parseRfc3339(value.end_at) : undefined;
  if (start !== undefined && end !== undefined && start > end) {
    issues.push({
      field: label(field),
      code: "INVALID_TIME_RANGE",
      message: `${label(field)} starts after it ends`,
    });
  }
};

/** Square's search takes at most this many segment ids across `all`, `any` and `none`. */
export const MAX_SEGMENT_IDS_IN_FILTER = 3;

const segmentIdCount: Rule = (value, field, issues) => {
  const segments = value.segment_ids as { all?: unknown; any?: unknown; none?: unknown } | null | undefined;
  if (!segments || typeof segments !== "object") return;
  const count = [segments.all, segments.any, segments.none].reduce<number>(
    (sum, ids) => sum + (Array.isArray(ids) ? ids.length : 0),
    0,
  );
  if (count > MAX_SEGMENT_IDS_IN_FILTER) {
    issues.push({
      field: join(field, "segment_ids"),
      code: "BAD_REQUEST",
      message: `a search filter may name at most ${MAX_SEGMENT_IDS_IN_FILTER} segment ids`,
    });
  }
};

/** A new definition needs its key and schema; one that sellers can see also needs a name and description. */
const newDefinition: Rule = (value, field, issues) => {
  const definition = value.custom_attribute_definition as Record<string, unknown> | undefined;
  if (!definition || typeof definition !== "object") return;
  const at = join(field, "custom_attribute_definition");
  const visible = definition.visibility != null && definition.visibility !== "VISIBILITY_HIDDEN";
  for (const key of ["key", "schema", ...(visible ? ["name", "description"] : [])]) {
    if (definition[key] == null || definition[key] === "") {
      const why = key === "name" || key === "description" ? " for a definition that is not hidden" : "";
      issues.push({
        field: join(at, key),
        code: "MISSING_REQUIRED_PARAMETER",
        message: `${join(at, key)} is required${why}`,
      });
    }
  }
};

function both(first: Rule, second: Rule): Rule {
  return (value, field, issues) => {
    first(value, field, issues);
    second(value, field, issues);
  };
}

export const schemaRules: Readonly<Record<string, Rule>> = {
  CreateCustomerRequest: both(atLeastOneIdentityField, contactFormats),
  BulkCreateCustomerData: both(atLeastOneIdentityField, contactFormats),
  UpdateCustomerRequest: contactFormats,
  BulkUpdateCustomerData: contactFormats,
  CustomerTextFilter: exactOrFuzzy,
  CustomerFilter: segmentIdCount,
  CreateCustomerCustomAttributeDefinitionRequest: newDefinition,
  TimeRange: timeRange,
};

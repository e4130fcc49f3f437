import { describe, expect, it } from "vitest";
import { closestName, didYouMean } from "../src/tooling.js";

const customerFields = [
  "given_name",
  "family_name",
  "company_name",
  "nickname",
  "email_address",
  "phone_number",
  "reference_id",
  "note",
  "birthday",
];
const filterKeys = [
  "creation_source",
  "created_at",
  "updated_at",
  "email_address",
  "phone_number",
  "reference_id",
  "group_ids",
  "custom_attribute",
  "segment_ids",
];

describe("closestName", () => {
  it("finds a typo, whole or by the name's leading words", () => {
    expect(closestName("emial", filterKeys)).toBe("email_address");
    expect(closestName("email_adress", filterKeys)).toBe("email_address");
    expect(closestName("phone", filterKeys)).toBe("phone_number");
    expect(closestName("group_id", filterKeys)).toBe("group_ids");
    expect(closestName("creaton_source", filterKeys)).toBe("creation_source");
  });

  it("knows the common names of customer fields", () => {
    expect(closestName("first_name", customerFields)).toBe("given_name");
    expect(closestName("Last Name", customerFields)).toBe("family_name");
    expect(closestName("email", customerFields)).toBe("email_address");
    expect(closestName("company", customerFields)).toBe("company_name");
    expect(closestName("DOB", customerFields)).toBe("birthday");
  });

  it("matches other case and separators as the same name", () => {
    expect(closestName("Given-Name", customerFields)).toBe("given_name");
  });

  it("suggests an alias only when its target is one of the known names", () => {
    expect(closestName("first_name", ["nickname", "note"])).toBeUndefined();
  });

  it("suggests nothing for a name that is not close to any", () => {
    expect(closestName("favourite_colour", customerFields)).toBeUndefined();
    expect(closestName("zz", customerFields)).toBeUndefined();
    expect(closestName("anything", [])).toBeUndefined();
  });
});

describe("didYouMean", () => {
  it("is a message ending, or empty", () => {
    expect(didYouMean("emial", filterKeys)).toBe(' (did you mean "email_address"?)');
    expect(didYouMean("favourite_colour", filterKeys)).toBe("");
  });
});

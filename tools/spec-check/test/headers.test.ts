// Request headers, judged against the spec: the bearer token its OAuth security asks for, the form of
// Square-Version (the header its security scheme adds), the body's media type among those the spec lists
// for it, and an Accept that admits the answer's.
import { describe, expect, it } from "vitest";
import { createSpecValidator } from "../src/index.ts";

const spec = createSpecValidator();
const create = { method: "POST", url: "/v2/customers", body: { given_name: "Ada" } };
const good = {
  authorization: "Bearer token",
  "square-version": "2025-08-20",
  accept: "application/json",
  "content-type": "application/json",
};

describe("request headers", () => {
  it("pass when the spec's media types, token and version are there", () => {
    expect(spec.validateRequest({ ...create, headers: good })).toBeNull();
    expect(
      spec.validateRequest({
        ...create,
        headers: { ...good, "content-type": "application/json; charset=UTF-8" },
      }),
    ).toBeNull();
    const { "content-type": _, ...withoutType } = good;
    expect(spec.validateRequest({ method: "GET", url: "/v2/customers", headers: withoutType })).toBeNull();
    expect(
      spec.validateRequest({
        method: "GET",
        url: "/v2/customers",
        headers: { ...withoutType, accept: "*/*" },
      }),
    ).toBeNull();
  });

  it("fail for a body not declared as JSON", () => {
    const { "content-type": _, ...withoutType } = good;
    expect(spec.validateRequest({ ...create, headers: withoutType })).toBe(
      "CreateCustomer: a body without Content-Type",
    );
    expect(spec.validateRequest({ ...create, headers: { ...good, "content-type": "text/plain" } })).toMatch(
      /^CreateCustomer: Content-Type "text\/plain" is not one the spec lists \(application\/json\)$/,
    );
    expect(
      spec.validateRequest({
        ...create,
        headers: { ...good, "content-type": "application/json; charset=latin1" },
      }),
    ).toBe("CreateCustomer: Content-Type charset latin1");
  });

  it("fail without a bearer token, with a malformed version or an Accept that excludes JSON", () => {
    expect(spec.validateRequest({ ...create, headers: { ...good, authorization: "Basic x" } })).toMatch(
      /bearer/,
    );
    expect(spec.validateRequest({ ...create, headers: { ...good, "square-version": "latest" } })).toMatch(
      /Square-Version "latest" is not a date/,
    );
    expect(spec.validateRequest({ ...create, headers: { ...good, accept: "text/html" } })).toMatch(
      /Accept "text\/html" admits none of application\/json/,
    );
    expect(spec.validateRequest({ ...create, headers: { ...good, accept: "application/json;q=0" } })).toMatch(
      /Accept/,
    );
  });
});

import { createSquareClient, NotFoundError } from "../src/index.js";

const square = createSquareClient({
  accessToken: process.env.SQUARE_ACCESS_TOKEN ?? "",
  environment: process.env.SQUARE_ENVIRONMENT ?? "sandbox", // "production", "sandbox" or a URL
});

const { customer } = await square.customers.create({
  given_name: "Amelia",
  email_address: "amelia@example.com",
});
await square.customers.update(customer.id, { nickname: "Amy", version: customer.version });

for await (const c of square.customers.search({
  query: { filter: { email_address: { fuzzy: "example.com" } } },
})) {
  console.log(c.id, c.given_name, c.nickname);
}

try {
  await square.customers.retrieve("no-such-customer");
} catch (error) {
  if (error instanceof NotFoundError) console.log("not found:", error.errors[0]?.code, error.requestId);
  else throw error;
}

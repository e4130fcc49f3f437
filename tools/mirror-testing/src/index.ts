export { type TestPostgres, startPostgres } from "./postgres.ts";
export { customer, type StoreUnderTest, storeContract } from "./store-contract.ts";

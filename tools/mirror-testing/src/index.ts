export { startPostgres, type TestPostgres } from "./postgres.ts";
export { STALE_WATCH_SQL, STALE_WRITES_SQL } from "./stale-watch.ts";
export { customer, type StoreUnderTest, storeContract } from "./store-contract.ts";

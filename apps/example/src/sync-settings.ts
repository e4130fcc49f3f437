// What `customers sync` keeps about a mirror beside its data (customers_sync_settings, mirror-db.ts): the
// subscription it receives events through and who it mirrors. Its own module, so that the database
// (mirror-db.ts) and the upgrade of an earlier layout (mirror-legacy.ts) both name them without importing
// each other.

/** The webhook subscription a mirror receives its events through (the key is kept apart). */
export interface StoredSubscription {
  readonly id: string;
  readonly notificationUrl: string;
}

/** Who a mirror mirrors: where requests go, and a fingerprint of the token (never the token). */
export interface MirrorTarget {
  readonly environment: string;
  readonly tokenFingerprint: string;
}

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { type ApiError, badRequest } from "../api/errors.js";

// Cursors are keyset positions, not offsets: a cursor names the sort key of the last item already
// returned, and the next page starts strictly after it. Inserts made while a client pages therefore can
// neither push an already-seen item onto the next page (repeat) nor pull an unseen one back (skip).
//
// The position is sealed with AES-256-GCM under a key kept in the store: the cursor is truly opaque
// (the sort key holds names and emails, which have no business in URLs and logs), tampering or junk is
// detected as a 400 INVALID_CURSOR, and cursors still work after a restart with the same database.
// The `scope` makes a cursor from one listing (or sort order) unusable with another.

/** Where a page ended: the sort value of its last item (if the order has one) and that item's `seq`. */
export interface Position {
  readonly value: string | number | null;
  readonly seq: number;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function encodeCursor(key: Buffer, scope: string, position: Position): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(scope, "utf8"));
  const plain = Buffer.from(JSON.stringify([VERSION, position.value, position.seq]), "utf8");
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
}

/** The 400 for a cursor that is not one of ours (every operation that pages names it `cursor`). */
export function invalidCursor(): ApiError {
  return badRequest("INVALID_CURSOR", "The pagination cursor is not valid.", "cursor");
}

/** Opens a cursor made for `scope`; anything else is a 400 INVALID_CURSOR. */
export function decodeCursor(key: Buffer, scope: string, cursor: string): Position {
  if (cursor.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  const raw = Buffer.from(cursor, "base64url");
  if (raw.length <= IV_BYTES + TAG_BYTES) throw invalidCursor();
  let parsed: unknown;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(scope, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    parsed = JSON.parse(plain.toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  // Authenticated, so this is one of ours; the shape check only guards against format changes.
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== VERSION) throw invalidCursor();
  const [, value, seq] = parsed as [number, unknown, unknown];
  if (!(value === null || typeof value === "string" || typeof value === "number")) throw invalidCursor();
  if (typeof seq !== "number" || !Number.isSafeInteger(seq)) throw invalidCursor();
  return { value, seq };
}

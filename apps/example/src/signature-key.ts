// Where `customers sync` keeps the webhook subscription's signature key: never beside the data. It comes
// from SQUARE_WEBHOOK_SIGNATURE_KEY when that is set (a deployment's secret store), else from a key file
// that only its owner may read (mode 0600; a file others can read is refused, as ssh does): by default
// `<db file>.webhook-key` next to a SQLite mirror, and `--key-file` for a PostgreSQL one.
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { CliError, EXIT_USAGE } from "./errors.js";
import { isPostgresUrl } from "./mirror-db.js";

export const SIGNATURE_KEY_ENV = "SQUARE_WEBHOOK_SIGNATURE_KEY";

export interface SignatureKeyStore {
  /** Where the key is, for messages (the variable's name or the file's path; never the key). */
  readonly where: string;
  read(): string | undefined;
  /** Keeps a new key (a new subscription, or a rotated key). */
  write(key: string): void;
  /** Forgets the key (the subscription is gone). */
  remove(): void;
}

export function signatureKeyStore(db: string, keyFile: string | undefined): SignatureKeyStore {
  const fromEnv = process.env[SIGNATURE_KEY_ENV]?.trim();
  if (fromEnv) {
    return {
      where: SIGNATURE_KEY_ENV,
      read: () => fromEnv,
      write: () => {
        throw new CliError(
          `the subscription's signature key changed, and ${SIGNATURE_KEY_ENV} holds the old one: unset it to keep the new key in a key file, or set it to the new key`,
          EXIT_USAGE,
        );
      },
      remove: () => {},
    };
  }
  if (keyFile === undefined && isPostgresUrl(db)) {
    throw new CliError(
      `a PostgreSQL mirror needs --key-file <path> or ${SIGNATURE_KEY_ENV} for the webhook signature key (it is never kept in the database)`,
      EXIT_USAGE,
    );
  }
  const file = keyFile ?? `${db}.webhook-key`;
  return {
    where: file,
    read() {
      if (!existsSync(file)) return undefined;
      const { mode } = statSync(file);
      if ((mode & 0o077) !== 0) {
        throw new CliError(
          `${file} can be read by others (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${file}\``,
          EXIT_USAGE,
        );
      }
      return readFileSync(file, "utf8").trim() || undefined;
    },
    write(key) {
      writeFileSync(file, `${key}\n`, { mode: 0o600 });
      // An existing file keeps its mode through writeFileSync.
      chmodSync(file, 0o600);
    },
    remove() {
      rmSync(file, { force: true });
    },
  };
}

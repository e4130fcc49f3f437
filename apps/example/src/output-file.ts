// Files a command writes (export, generate): checked before any work is done, so a path that cannot
// be written is a clear usage error (exit 2) rather than a raw ENOENT after the work, and an existing
// file is only replaced when the user says so.
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./errors.js";

/** Fails with exit 2 unless `file` can be created (or, with `force`, replaced). */
export async function assertWritable(file: string, options: { force?: boolean } = {}): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new CliError(`cannot write ${file}: it is a directory`, EXIT_USAGE);
  if (existing && !options.force) {
    throw new CliError(`${file} already exists: pass --force to replace it`, EXIT_USAGE);
  }
  const dir = dirname(resolve(file));
  const parent = await stat(dir).catch(() => undefined);
  if (!parent?.isDirectory()) throw new CliError(`cannot write ${file}: no directory ${dir}`, EXIT_USAGE);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new CliError(`cannot write ${file}: no permission to write in ${dir}`, EXIT_USAGE);
  }
}

/** A failure to write `file` (after the checks above passed) as a message a user can act on. */
export function writeError(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reasons: Record<string, string> = {
    ENOENT: "its directory is gone",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EISDIR: "it is a directory",
    ENOSPC: "no space left on the device",
    EROFS: "the file system is read-only",
  };
  if (code === undefined || !(code in reasons)) return error;
  return new CliError(
    `cannot write ${file}: ${reasons[code]}`,
    code === "ENOSPC" ? EXIT_FAILURE : EXIT_USAGE,
  );
}

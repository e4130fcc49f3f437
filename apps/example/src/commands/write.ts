// `customers update <id> --set field=value …` and `customers delete <id>…`: single writes with the
// promise client. Both ask before writing to Square production (see confirm.ts).
import { ConflictError, NotFoundError, SquareApiError } from "@square-customers/client";
import type { Customer, UpdateCustomerRequest } from "@square-customers/core";
import { confirmWrite } from "../confirm.js";
import { CliError, describeError, EXIT_FAILURE, EXIT_USAGE } from "../errors.js";
import { UPDATABLE_FIELDS } from "../fields.js";
import { formatCustomer, n, note, write } from "../output.js";
import type { TargetOptions } from "../target.js";
import { notFound, retrieveOrExplain, withPromiseClient } from "./read.js";

export interface UpdateOptions extends TargetOptions {
  readonly set: readonly string[];
  readonly json?: boolean;
  readonly yes?: boolean;
}

export interface DeleteOptions extends TargetOptions {
  readonly yes?: boolean;
}

interface Assignment {
  /** Top-level field (`address` for `address.locality`). */
  readonly name: string;
  /** Field within a nested object, if any. */
  readonly inner?: string;
  /** null clears the field. */
  readonly value: string | null;
}

/** Reads `field=value` arguments; an empty value clears the field. Unknown fields are a usage error. */
export function parseAssignments(assignments: readonly string[]): Assignment[] {
  return assignments.map((assignment) => {
    const eq = assignment.indexOf("=");
    const field = assignment.slice(0, Math.max(eq, 0)).trim();
    if (eq === -1 || field === "") {
      throw new CliError(`--set takes field=value (e.g. nickname=Amy), got "${assignment}"`, EXIT_USAGE);
    }
    if (!UPDATABLE_FIELDS.includes(field)) {
      throw new CliError(
        `--set: "${field}" is not a field update can change\n  fields: ${UPDATABLE_FIELDS.join(", ")}`,
        EXIT_USAGE,
      );
    }
    const [name = "", inner] = field.split(".");
    const value = assignment.slice(eq + 1).trim();
    return { name, ...(inner === undefined ? {} : { inner }), value: value === "" ? null : value };
  });
}

/**
 * The sparse update body for `current`. A nested object (the address) is sent whole, with the fields
 * given replaced, so that its other fields keep their values whether the server merges or replaces it.
 * The version read is sent too: an edit made by someone else in between is a conflict, not overwritten.
 */
export function updateBody(assignments: readonly Assignment[], current: Customer): UpdateCustomerRequest {
  const body: Record<string, unknown> = {};
  for (const { name, inner, value } of assignments) {
    if (inner === undefined) {
      body[name] = value;
      continue;
    }
    const existing = (current as Record<string, unknown>)[name];
    if (body[name] === undefined) body[name] = { ...(typeof existing === "object" ? existing : {}) };
    const object = body[name] as Record<string, unknown>;
    object[inner] = value;
  }
  return { ...body, ...(current.version === undefined ? {} : { version: current.version }) };
}

export async function updateCommand(id: string, options: UpdateOptions): Promise<void> {
  const assignments = parseAssignments(options.set);
  await confirmWrite(options, `update customer ${id}`);
  await withPromiseClient(options, async (square, target) => {
    const current = await retrieveOrExplain(id, () => square.customers.retrieve(id), target);
    try {
      const { customer } = await square.customers.update(id, updateBody(assignments, current));
      await write(process.stdout, formatCustomer(customer ?? {}, options.json));
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw new CliError(
        `customer ${id} changed while it was being updated (someone else saved version ${current.version} first ` +
          "or after): nothing was changed; run the command again",
      );
    }
  });
}

export async function deleteCommand(ids: readonly string[], options: DeleteOptions): Promise<void> {
  await confirmWrite(
    options,
    `delete ${ids.length === 1 ? `customer ${ids[0]}` : `${n(ids.length)} customers`}`,
  );
  await withPromiseClient(options, async (square, target) => {
    let failed = 0;
    for (const id of ids) {
      try {
        await square.customers.delete(id);
        await write(process.stdout, `deleted ${id}\n`);
      } catch (error) {
        // One id the API refuses does not stop the others; a server that cannot be reached does.
        if (!(error instanceof SquareApiError)) throw error;
        failed++;
        note(error instanceof NotFoundError ? notFound(id, target) : `${id}: ${describeError(error)}`);
      }
    }
    if (failed > 0) throw new CliError(`${n(failed)} of ${n(ids.length)} not deleted`, EXIT_FAILURE);
  });
}

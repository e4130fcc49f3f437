// `customers create --set field=value …`, `customers update <id> --set field=value …` and
// `customers delete <id>…`: single writes with the promise client. Each asks before writing to Square
// production (see confirm.ts). Ctrl-C aborts the request in flight and says what may have happened.
import { ConflictError, NotFoundError, SquareApiError } from "@square-customers/client";
import type { CreateCustomerRequest, Customer, UpdateCustomerRequest } from "@square-customers/core";
import { didYouMean } from "@square-customers/core/tooling";
import { confirmWrite } from "../confirm.js";
import { CliError, describeError, EXIT_FAILURE, EXIT_USAGE } from "../errors.js";
import { CREATABLE_FIELDS, UPDATABLE_FIELDS } from "../fields.js";
import { listenForInterrupt } from "../interrupt.js";
import { formatCustomer, n, note, write } from "../output.js";
import type { TargetOptions } from "../target.js";
import { notFound, retrieveOrExplain, withPromiseClient } from "./read.js";

export interface UpdateOptions extends TargetOptions {
  readonly set: readonly string[];
  readonly json?: boolean;
  readonly yes?: boolean;
}

export interface CreateOptions extends TargetOptions {
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

/**
 * Reads `field=value` arguments; an empty value clears the field. A field not in `fields` (what the
 * command can set) is a usage error, with the closest field name when one is close.
 */
export function parseAssignments(
  assignments: readonly string[],
  fields: readonly string[] = UPDATABLE_FIELDS,
  command = "update",
): Assignment[] {
  return assignments.map((assignment) => {
    const eq = assignment.indexOf("=");
    const field = assignment.slice(0, Math.max(eq, 0)).trim();
    if (eq === -1 || field === "") {
      throw new CliError(`--set takes field=value (e.g. nickname=Amy), got "${assignment}"`, EXIT_USAGE);
    }
    if (!fields.includes(field)) {
      throw new CliError(
        `--set: "${field}" is not a field ${command} can set${didYouMean(field, fields)}\n  fields: ${fields.join(", ")}`,
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

/** The create body the assignments describe (an empty value sets nothing: a new customer has nothing to clear). */
export function createBody(assignments: readonly Assignment[]): CreateCustomerRequest {
  const body: Record<string, unknown> = {};
  for (const { name, inner, value } of assignments) {
    if (value === null) continue;
    if (inner === undefined) body[name] = value;
    else body[name] = { ...(body[name] as object | undefined), [inner]: value };
  }
  return body as CreateCustomerRequest;
}

/**
 * Runs one write with Ctrl-C aborting its request: interrupted, the write may or may not have reached
 * the server, and `interrupted` says so (cli.ts then exits 130).
 */
async function interruptibleWrite(
  send: (signal: AbortSignal) => Promise<void>,
  interrupted: string,
): Promise<void> {
  const interruption = listenForInterrupt();
  try {
    await send(interruption.signal);
  } catch (error) {
    if (!interruption.signal.aborted) throw error;
    note(`Interrupted: ${interrupted}`);
  } finally {
    interruption.dispose();
  }
}

export async function createCommand(options: CreateOptions): Promise<void> {
  const body = createBody(parseAssignments(options.set, CREATABLE_FIELDS, "create"));
  await confirmWrite(options, "create a customer");
  await withPromiseClient(options, (square, target) =>
    interruptibleWrite(async (signal) => {
      // The client adds an idempotency key, so its retries never create the customer twice.
      const { customer } = await square.customers.create(body, { signal });
      await write(process.stdout, formatCustomer(customer ?? {}, options.json));
      if (target.kind === "embedded") {
        note("The embedded emulator ended with this command; create with --url to keep the customer.");
      }
    }, "the customer may or may not have been created; `customers list` shows."),
  );
}

export async function updateCommand(id: string, options: UpdateOptions): Promise<void> {
  const assignments = parseAssignments(options.set);
  await confirmWrite(options, `update customer ${id}`);
  await withPromiseClient(options, async (square, target) => {
    const current = await retrieveOrExplain(id, () => square.customers.retrieve(id), target);
    await interruptibleWrite(async (signal) => {
      try {
        const { customer } = await square.customers.update(id, updateBody(assignments, current), { signal });
        await write(process.stdout, formatCustomer(customer ?? {}, options.json));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        throw new CliError(
          `customer ${id} changed while it was being updated (someone else saved version ${current.version} first ` +
            "or after): nothing was changed; run the command again",
        );
      }
    }, `the update may or may not have been applied; \`customers get ${id}\` shows.`);
  });
}

export async function deleteCommand(ids: readonly string[], options: DeleteOptions): Promise<void> {
  await confirmWrite(
    options,
    `delete ${ids.length === 1 ? `customer ${ids[0]}` : `${n(ids.length)} customers`}`,
  );
  await withPromiseClient(options, async (square, target) => {
    let failed = 0;
    /** The first id not attempted. */
    let next = 0;
    const interruption = listenForInterrupt();
    try {
      for (; next < ids.length && !interruption.signal.aborted; next++) {
        const id = ids[next]!;
        try {
          await square.customers.delete(id, {}, { signal: interruption.signal });
          await write(process.stdout, `deleted ${id}\n`);
        } catch (error) {
          if (interruption.signal.aborted) {
            note(`Interrupted while deleting ${id}: it may or may not have been deleted.`);
            failed++;
            continue;
          }
          // One id the API refuses does not stop the others; a server that cannot be reached does.
          if (!(error instanceof SquareApiError)) throw error;
          failed++;
          note(error instanceof NotFoundError ? notFound(id, target) : `${id}: ${describeError(error)}`);
        }
      }
    } finally {
      interruption.dispose();
    }
    if (interruption.signal.aborted) {
      const rest = ids.slice(next);
      note(
        `Interrupted: ${n(next - failed)} of ${n(ids.length)} deleted${rest.length > 0 ? `; not attempted: ${rest.join(" ")}` : ""}.`,
      );
      return;
    }
    if (failed > 0) throw new CliError(`${n(failed)} of ${n(ids.length)} not deleted`, EXIT_FAILURE);
  });
}

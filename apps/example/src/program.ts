// The command line, described with commander: commands, flags, help texts and value checks. Each
// action loads its command module only when it runs (so `--help` and usage errors answer at once,
// without loading both clients and Effect) and hands it plain, checked options.
import { readFileSync } from "node:fs";
import { SQUARE_VERSION } from "@square-customers/core";
import { READ_ONLY_COLUMNS, WRITABLE_COLUMNS } from "@square-customers/core/tooling";
import { Command, Help, InvalidArgumentError, Option } from "commander";
import { CliError, EXIT_USAGE } from "./errors.js";
import { CREATABLE_FIELDS, UPDATABLE_FIELDS } from "./fields.js";
import { EMULATOR_TOKEN, parseUrl } from "./target.js";

/** The exit codes, as every --help states them (errors.ts and interrupt.ts implement them). */
const EXIT_CODES_HELP = `Exit codes:
  0    done. An import whose invalid rows were reported and skipped still exits 0 (--strict: 1).
  1    the API failed, or rows were rejected by Square or not sent
  2    bad usage or a bad file (unknown flag or column, unreadable file): nothing was sent
  130  interrupted with Ctrl-C: the command stops, prints what it did, then exits 130
       (a second Ctrl-C quits at once). Through \`npm run customers\` too.`;

/** An integer flag within [min, max], rejected with a usage error otherwise. */
function integer(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`${flag} must be a whole number ${range}.`);
    }
    return parsed;
  };
}

function url(value: string): string {
  try {
    return parseUrl(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** `--notification-url`: an absolute http(s) URL, kept exactly as given (signatures cover it byte for byte). */
function notificationUrl(value: string): string {
  const parsed = URL.parse(value);
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new InvalidArgumentError(`--notification-url must be an http:// or https:// URL, got "${value}"`);
  }
  return value;
}

/** `--listen HOST:PORT` (an IPv6 host in brackets: `[::1]:8080`). */
function listenAddress(value: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) {
    throw new InvalidArgumentError(
      "--listen must be HOST:PORT, such as 127.0.0.1:8080 (port 0: any free port).",
    );
  }
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

/** `--delimiter`: one character; `tab` (or `\t`) for a tab. */
function delimiter(value: string): string {
  const char = value === "tab" || value === "\\t" ? "\t" : value;
  if (char.length !== 1 || char === '"' || char === "\n" || char === "\r") {
    throw new InvalidArgumentError('--delimiter must be one character other than a quote (e.g. ";" or tab).');
  }
  return char;
}

/** What `--version` prints: this CLI's version and the Square API version its requests ask for. */
function versionText(): string {
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return `customers ${version} (Square API version ${SQUARE_VERSION})`;
}

const TARGET_HELP = `
Where requests go:
  (default)                      an emulator started inside this command. It lives in memory and ends
                                 with the command, so each run starts from a fresh merchant (--seed N
                                 gives it N sample customers). To keep data between commands, start
                                 one (\`npm run emulator -- --port 4010\` in the repository) and pass --url.
  --url http://127.0.0.1:4010    a running emulator. Each access token is its own merchant: set
                                 SQUARE_ACCESS_TOKEN to pick one (default token: ${EMULATOR_TOKEN}, the
                                 merchant the READMEs' curl and client examples use too).
  --environment sandbox          real Square (or production), with the access token from
                                 SQUARE_ACCESS_TOKEN. The token is never printed.

${EXIT_CODES_HELP}`;

/** Where `sync` sends requests: it needs a server that outlives it, so there is no embedded default. */
const SYNC_TARGET_HELP = `
Where requests go (one of them is required):
  --url http://127.0.0.1:4010    a running emulator (\`npm run emulator -- --port 4010\` in the repository).
                                 Each access token is its own merchant: set SQUARE_ACCESS_TOKEN to pick
                                 one (default token: customers-cli).
  --environment sandbox          real Square (or production), with the access token from
                                 SQUARE_ACCESS_TOKEN. The token is never printed.

Exit codes: 0 done, 1 API error, 2 bad usage or a database it cannot open, 130 stopped (Ctrl-C).`;

/** The flags that choose where requests go, on every command that talks to the API. */
function withTarget(
  command: Command,
  options: { seed?: boolean; writes?: boolean; embedded?: boolean } = {},
): Command {
  command
    .addOption(new Option("--url <url>", "use a running emulator at this base URL").argParser(url))
    .addOption(
      new Option("--environment <name>", "use real Square (token from SQUARE_ACCESS_TOKEN)")
        .choices(["sandbox", "production"])
        .conflicts("url"),
    );
  if (options.seed !== false) {
    command.addOption(
      new Option("--seed <n>", "sample customers the embedded emulator starts with")
        .argParser(integer("--seed", 0, 10_000))
        .conflicts(["url", "environment"]),
    );
  }
  if (options.writes) {
    command.option("--yes", "do not ask for confirmation before writing to Square production");
  }
  return command.addHelpText("after", options.embedded === false ? SYNC_TARGET_HELP : TARGET_HELP);
}

const sortOptions = (command: Command) =>
  command
    .addOption(new Option("--sort <field>", "sort by").choices(["default", "created_at"]).default("default"))
    .addOption(new Option("--order <order>", "sort order").choices(["asc", "desc"]).default("asc"))
    .option("--limit <n>", "show at most n customers", integer("--limit", 1))
    .addOption(new Option("--json", "print JSON (an array) instead of a table").conflicts("table"))
    .option("--table", "print a table even when stdout is not a terminal (it fits 80 columns)");

export function buildProgram(): Command {
  const program = new Command("customers")
    .description("Move Square customer directories in and out: list, search, export and import customers.")
    .showHelpAfterError("(run with --help for usage)")
    // Usage errors throw instead of exiting, so cli.ts decides exit codes and flushes output.
    .exitOverride()
    .version(versionText(), "-V, --version", "print the version and exit")
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      "after",
      `
Start with \`customers demo\` for a tour. Each command has its own --help.
Without --url or --environment, commands run against an emulator started for that command alone.

${EXIT_CODES_HELP}`,
    );

  program
    .command("demo")
    .description(
      "a guided tour: everyday calls with the promise client, a 2,000-row import with the Effect client, then a mirror kept in sync through webhooks",
    )
    .addOption(
      new Option(
        "--url <url>",
        "use a running emulator (a fresh merchant) instead of the embedded one",
      ).argParser(url),
    )
    .option("--rows <n>", "rows in the generated CSV", integer("--rows", 1, 100_000), 2000)
    .option("--keep", "keep the generated CSV file")
    .action(async (options) => (await import("./commands/demo.js")).demoCommand(options));

  sortOptions(withTarget(program.command("list").description("list customers (every page)"))).action(
    async (options) => (await import("./commands/read.js")).listCommand(options),
  );

  sortOptions(
    withTarget(
      program
        .command("search")
        .description("search customers; filters combine with AND")
        .option("--email <text>", "email address contains (or equals, with --exact)")
        .option("--phone <text>", "phone number contains (or equals, in E.164, with --exact)")
        .option("--reference-id <text>", "reference id contains (or equals, with --exact)")
        .option("--exact", "match email, phone and reference id exactly instead of fuzzily")
        .option("--created-after <date>", "created at or after (2024-05-01 or an RFC 3339 timestamp)")
        .option("--created-before <date>", "created at or before")
        .option("--group <id>", "member of this customer group"),
    ),
  ).action(async (options) => (await import("./commands/read.js")).searchCommand(options));

  withTarget(
    program
      .command("get")
      .description("show one customer")
      .argument("<id>", "customer id")
      .option("--json", "print JSON"),
  ).action(async (id: string, options) => (await import("./commands/read.js")).getCommand(id, options));

  withTarget(
    program
      .command("create")
      .description("create one customer")
      .requiredOption(
        "--set <field=value...>",
        "fields of the new customer, e.g. --set given_name=Ada email_address=ada@example.com address.locality=London",
      )
      .option("--json", "print the new customer as JSON")
      .addHelpText(
        "after",
        `
Fields:
${new Help().boxWrap(CREATABLE_FIELDS.join(", "), 98).replace(/^/gm, "  ")}

At least one of given_name, family_name, company_name, email_address or phone_number. Each value is
checked before anything is sent (email, phone, birthday, country, lengths), as \`update\` and
\`import\` check them. The request carries an idempotency key, so a retry never creates the
customer twice.`,
      ),
    { writes: true },
  ).action(async (options) => (await import("./commands/write.js")).createCommand(options));

  withTarget(
    program
      .command("update")
      .description("change fields of one customer")
      .argument("<id>", "customer id")
      .requiredOption(
        "--set <field=value...>",
        "fields to set, e.g. --set nickname=Amy address.locality=Paris (an empty value clears the field)",
      )
      .option("--json", "print the updated customer as JSON")
      .addHelpText(
        "after",
        `
Fields:
${new Help().boxWrap(UPDATABLE_FIELDS.join(", "), 98).replace(/^/gm, "  ")}

The customer is read first and updated at the version read, so a change someone else makes in between
is reported as a conflict (exit 1), never overwritten.`,
      ),
    { writes: true },
  ).action(async (id: string, options) => (await import("./commands/write.js")).updateCommand(id, options));

  withTarget(program.command("delete").description("delete customers").argument("<id...>", "customer ids"), {
    writes: true,
  }).action(async (ids: string[], options) =>
    (await import("./commands/write.js")).deleteCommand(ids, options),
  );

  withTarget(
    program
      .command("export")
      .description("write every customer to a CSV or JSON file (streamed, with progress)")
      .argument("<file>", "file.csv or file.json")
      .addOption(
        new Option("--format <format>", "file format (default: from the file name)").choices(["csv", "json"]),
      )
      .option("--force", "replace the file if it exists"),
  ).action(async (file: string, options) =>
    (await import("./commands/export.js")).exportCommand(file, options),
  );

  withTarget(
    program
      .command("import")
      .description(
        "create customers from a CSV or JSON file: each row is checked, bad ones reported by line and skipped",
      )
      .argument(
        "<file>",
        "a CSV file with a header line of field names (given_name, email_address, address.locality, …), " +
          "or a JSON array of customers as `customers export file.json` writes",
      )
      .addOption(
        new Option("--format <format>", "file format (default: JSON for *.json, else CSV)").choices([
          "csv",
          "json",
        ]),
      )
      .option("--delimiter <char>", "CSV field delimiter (`;`, `tab`, …)", delimiter, ",")
      .option("--dry-run", "check the file only; send nothing")
      .option("--chunk-size <n>", "rows per bulk-create call", integer("--chunk-size", 1, 100), 100)
      .option("--concurrency <n>", "bulk-create calls in flight", integer("--concurrency", 1, 16), 2)
      .option(
        "--max-retries <n>",
        "retries per call on 429, 5xx or a lost connection",
        integer("--max-retries", 0, 10),
        5,
      )
      .option("--strict", "exit 1 when any row is invalid (by default invalid rows are reported and skipped)")
      .option("--json", "print the report as JSON")
      .addHelpText(
        "after",
        `
Columns (a header line names them; any subset, in any order):
${new Help().boxWrap(WRITABLE_COLUMNS.join(", "), 98).replace(/^/gm, "  ")}

Rows are checked and sent in one pass, so problems show as they are found. Invalid rows are reported
as file:line and skipped; the import still exits 0 when every other row went in (--strict: exit 1).
Each row's idempotency key is derived from its content, so importing the same file again (say, after an
interruption) creates no duplicates: the summary says how many were new and how many already there.
A file written by \`customers export\` (CSV or JSON) can be imported as is
(${READ_ONLY_COLUMNS.join(", ")} are not sent). A row whose id is a customer of the account
(an export imported back into the same account) is already there: it is skipped and counted as such,
never created a second time; into another account, it is created.`,
      ),
    { writes: true },
  ).action(async (file: string, options) =>
    (await import("./commands/import.js")).importCommand(file, options),
  );

  withTarget(
    program
      .command("sync")
      .description(
        "keep a mirror of every customer in SQLite or PostgreSQL in sync through webhooks (Ctrl-C stops; run it again to resume)",
      )
      .requiredOption(
        "--db <file | postgres://…>",
        "the mirror: a SQLite file (created if missing) or a PostgreSQL URL",
      )
      .addOption(
        new Option("--listen <host:port>", "where to listen for webhook deliveries (port 0: any free port)")
          .argParser(listenAddress)
          .default({ host: "127.0.0.1", port: 0 }, "127.0.0.1:0"),
      )
      .option(
        "--notification-url <url>",
        "the URL Square posts deliveries to, when a tunnel or proxy forwards them to --listen",
        notificationUrl,
      )
      .option(
        "--key-file <path>",
        "where the subscription's signature key is kept, readable by you alone (default: <db file>.webhook-key; required with a PostgreSQL --db unless SQUARE_WEBHOOK_SIGNATURE_KEY is set)",
      )
      .option("--full", "load every customer again instead of resuming from the checkpoint")
      .option("--unsubscribe", "delete the webhook subscription this mirror made (and its key), then exit")
      .option(
        "--reconcile-every <seconds>",
        "seconds between reconcile passes, which catch changes no event announced (0: none)",
        integer("--reconcile-every", 0, 86_400),
        300,
      )
      .option("--json", "print JSON lines (load, ready, each event, stopped) instead of text")
      .addHelpText(
        "after",
        `
The first run creates a webhook subscription for customer.created, customer.updated and customer.deleted
pointing at its listener, lists every customer into the mirror (a progress bar), then applies each
verified delivery as it arrives: one line per event, and a status line of counts on a terminal. Events
come more than once and out of order; the mirror keeps each customer's newest version and never brings a
deleted one back. A reconcile pass (a search of what changed lately) catches anything events missed.

The mirror is plain SQL: square_customers (columns for names, email, phone, reference id, … and the whole
customer as JSON), square_live_customers (a view without the deleted). The signature key is never kept in
the database: it is read from SQUARE_WEBHOOK_SIGNATURE_KEY, or kept in --key-file (mode 0600).

Ctrl-C stops it cleanly (exit 130) and keeps the subscription: Square retries what it could not deliver
meanwhile (for up to 72 hours), and the next run with the same --db resumes from its checkpoint without a
full load. --unsubscribe deletes the subscription for good.`,
      ),
    { seed: false, embedded: false },
  ).action(async (options) => (await import("./commands/sync.js")).syncCommand(options));

  program
    .command("generate")
    .description("write a sample CSV file to try `customers import` with")
    .argument("<file>", "output file.csv")
    .option("--count <n>", "rows", integer("--count", 1, 1_000_000), 2000)
    .option("--invalid <n>", "of which deliberately invalid", integer("--invalid", 0, 1_000_000), 0)
    .option("--seed <n>", "random seed (same seed, same file)", integer("--seed", 0), 1)
    .option("--force", "replace the file if it exists")
    .action(async (file: string, options) => {
      if (options.invalid > options.count) throw new CliError("--invalid cannot exceed --count", EXIT_USAGE);
      return (await import("./commands/generate.js")).generateCommand(file, options);
    });

  return program;
}

// "Did you mean …?" for a name a user typed that is not one of the known names: a filter key, a body
// field, a query parameter, a CSV column. One rule, so that the clients, the emulator and the CLI suggest
// the same name for the same typo.

/** Names people commonly use for a customer field, by the wire name Square uses for it. */
const CUSTOMER_FIELD_ALIASES: Readonly<Record<string, readonly string[]>> = {
  given_name: ["first_name", "firstname", "first", "forename", "fname"],
  family_name: ["last_name", "lastname", "last", "surname", "lname"],
  email_address: ["email", "e_mail", "mail"],
  phone_number: ["phone", "mobile", "telephone", "tel", "phone_no", "cell"],
  company_name: ["company", "organization", "organisation", "employer"],
  birthday: ["dob", "birth_date", "birthdate", "date_of_birth"],
  reference_id: ["reference", "ref", "external_id"],
  note: ["notes", "comment", "comments"],
};

const ALIAS_TARGET: ReadonlyMap<string, string> = new Map(
  Object.entries(CUSTOMER_FIELD_ALIASES).flatMap(([target, aliases]) =>
    aliases.map((alias) => [alias, target] as const),
  ),
);

/**
 * The known name closest to `typed`, or undefined when none is close enough to be a likely typo:
 * the same name in other case or with `-`/spaces for `_`; a common alias of a customer field
 * (`first_name` → `given_name`); or a name within a few edits, whole or by its leading words
 * (`emial` → `email_address`). Ties go to the name listed first.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  const candidates = [...known];
  const word = normalize(typed);
  const exact = candidates.find((name) => normalize(name) === word);
  if (exact !== undefined) return exact;
  const alias = ALIAS_TARGET.get(word);
  if (alias !== undefined && candidates.includes(alias)) return alias;
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of candidates) {
    const distance = Math.min(
      ...[normalize(name), ...leadingWords(normalize(name))].map((form) => editDistance(word, form)),
    );
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** `" (did you mean \"x\"?)"`, or `""` when nothing is close: for the end of an error message. */
export function didYouMean(typed: string, known: Iterable<string>): string {
  const name = closestName(typed, known);
  return name === undefined ? "" : ` (did you mean "${name}"?)`;
}

function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
}

/** `email_address` → [`email`]; `creation_source_x` → [`creation`, `creation_source`]. */
function leadingWords(name: string): string[] {
  const parts = name.split("_");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("_"));
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = d;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

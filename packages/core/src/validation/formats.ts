// Formats Square checks in text fields (prose in the spec, see spec/BEHAVIOUR.md): email, phone, birthday and
// RFC 3339 times. Used by request validation and, through `@square-customers/core/tooling`, by the emulator.

/** A plausible email address: something@domain.tld, no spaces. */
export function isValidEmailAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@.]+$/.test(value);
}

/** 9 to 16 digits with an optional leading `+`; spaces, dots, dashes and parentheses are ignored. */
export function isValidPhoneNumber(value: string): boolean {
  return /^\+?\d{9,16}$/.test(value.replace(/[\s().-]/g, ""));
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** `YYYY-MM-DD` or `MM-DD` → `YYYY-MM-DD` (year `0000` when none was given); undefined when invalid. */
export function normalizeBirthday(value: string): string | undefined {
  return birthdayProblem(value) === undefined ? normalized(value) : undefined;
}

/**
 * Why a birthday is not acceptable, for messages: the wrong form, or a date that does not exist
 * (`1990-02-30`). Undefined when it is fine.
 */
export function birthdayProblem(value: string): string | undefined {
  const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return "must be YYYY-MM-DD or MM-DD";
  const [, year, month = "", day = ""] = match;
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12) return `${value.trim()} does not exist: there is no month ${month}`;
  const days = daysInMonth(year, m);
  if (d < 1 || d > days) {
    const of = year === undefined ? MONTHS[m - 1] : `${MONTHS[m - 1]} ${year}`;
    return `${value.trim()} does not exist: ${of} has ${days} days`;
  }
  return undefined;
}

function normalized(value: string): string {
  const [, year = "0000", month, day] = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(value.trim()) ?? [];
  return `${year}-${month}-${day}`;
}

/** Days in month `m` (1..12) of `year`; without a year, February has 29 (a birthday may be Feb 29). */
function daysInMonth(year: string | undefined, m: number): number {
  const leap =
    year === undefined || year === "0000" || new Date(Date.UTC(Number(year), 1, 29)).getUTCMonth() === 1;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined when it is not one. */
export function parseRfc3339(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

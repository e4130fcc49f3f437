// Field paths of validation issues: dotted wire names (`address.country`, `customers.<key>.email_address`,
// `query.filter.segment_ids`), with the body itself named `body`.

/** `field.key`, or `key` at the top level. */
export function join(field: string, key: string): string {
  return field === "" ? key : `${field}.${key}`;
}

/** The request body itself has no field name; issues about it are reported as `body`. */
export function label(field: string): string {
  return field === "" ? "body" : field;
}

/** Quotes an identifier for SQL text: the few spliced names (tables, columns, schemas) are chosen by code, never by users. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a possibly schema-qualified name, e.g. `read_models.offenders` → `"read_models"."offenders"`. */
export function quoteQualifiedName(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}

/** A schema name we accept in configuration: plain letters, digits and underscores. */
export function assertPlainIdentifier(name: string, what: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`${what} "${name}" must be letters, digits and underscores, starting with a letter or underscore`);
  }
}

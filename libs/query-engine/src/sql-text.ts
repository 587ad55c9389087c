/**
 * The first keyword of a statement, skipping whitespace, comments and opening parentheses. A first, cheap filter
 * with a clear message; the real check is DuckDB's own parser (statement count and prepared statement type).
 */
export function leadingKeyword(sql: string): string {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s|\(/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else break;
  }
  const m = /^[A-Za-z_]+/.exec(sql.slice(i));
  return m ? m[0].toUpperCase() : '';
}

/** Statements may start with these; anything else (COPY, ATTACH, SET, PRAGMA, INSTALL, CALL ...) is refused. */
export const READ_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES']);

/** Drops trailing semicolons (and the whitespace around them) so a statement can be nested in a subquery. */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/(\s*;)+\s*$/, '');
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

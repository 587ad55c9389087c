import { PgError } from './pg-messages';

const DOLLAR_TAG = /^\$[A-Za-z_]?\w*\$/;

/**
 * Walks SQL text the way PostgreSQL's lexer does for what matters here: quoted strings (with E'' escapes),
 * quoted identifiers, dollar quotes and comments are skipped; `visit` sees every other character's position.
 */
function scan(sql: string, visit: (i: number) => number | void): void {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]) && (i < 2 || !/\w/.test(sql[i - 2]));
      i++;
      while (i < sql.length) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
    } else if (c === '"') {
      i = sql.indexOf('"', i + 1);
      i = i < 0 ? sql.length : i + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '$' && DOLLAR_TAG.test(sql.slice(i)) && !(i > 0 && /\w/.test(sql[i - 1]))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i))?.[0] ?? '$$';
      if (/^\$\d+\$$/.test(tag)) {
        // $1$ is not a tag: a parameter followed by a dollar
        i += visit(i) ?? 1;
        continue;
      }
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? sql.length : end + tag.length;
    } else {
      i += visit(i) ?? 1;
    }
  }
}

/** The statements of a simple Query message, split at top-level semicolons; blank ones (`;;`) dropped. */
export function splitStatements(sql: string): string[] {
  const cuts: number[] = [];
  scan(sql, (i) => {
    if (sql[i] === ';') cuts.push(i);
  });
  const out: string[] = [];
  let from = 0;
  for (const cut of [...cuts, sql.length]) {
    const part = sql.slice(from, cut);
    if (stripComments(part).trim() !== '') out.push(part.trim());
    from = cut + 1;
  }
  return out;
}

/** The text without comments (strings kept): for keyword checks. */
export function stripComments(sql: string): string {
  let out = '';
  let last = 0;
  const comments: [number, number][] = [];
  let j = 0;
  let quote: string | undefined;
  while (j < sql.length) {
    const c = sql[j];
    if (quote) {
      if (c === quote) quote = undefined;
      j++;
    } else if (c === "'" || c === '"') {
      quote = c;
      j++;
    } else if (c === '-' && sql[j + 1] === '-') {
      const end = sql.indexOf('\n', j);
      comments.push([j, end < 0 ? sql.length : end]);
      j = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[j + 1] === '*') {
      const end = sql.indexOf('*/', j + 2);
      comments.push([j, end < 0 ? sql.length : end + 2]);
      j = end < 0 ? sql.length : end + 2;
    } else j++;
  }
  for (const [a, b] of comments) {
    out += `${sql.slice(last, a)} `;
    last = b;
  }
  return out + sql.slice(last);
}

/** The highest `$n` a statement uses (its parameter count). */
export function parameterCount(sql: string): number {
  let max = 0;
  scan(sql, (i) => {
    if (sql[i] !== '$') return;
    const m = /^\$(\d+)/.exec(sql.slice(i));
    if (!m || (i > 0 && /\w/.test(sql[i - 1]))) return;
    max = Math.max(max, Number(m[1]));
    return m[0].length;
  });
  return max;
}

/** Replaces every `$n` outside strings and comments with `literal(n)`. */
export function bindParameters(sql: string, literal: (index: number) => string): string {
  let out = '';
  let last = 0;
  scan(sql, (i) => {
    if (sql[i] !== '$') return;
    const m = /^\$(\d+)/.exec(sql.slice(i));
    if (!m || (i > 0 && /\w/.test(sql[i - 1]))) return;
    const n = Number(m[1]);
    if (n < 1) throw new PgError('42P02', `there is no parameter $${n}`);
    out += sql.slice(last, i) + literal(n);
    last = i + m[0].length;
    return m[0].length;
  });
  return out + sql.slice(last);
}

/** The leading words of a statement, upper-cased, comments and parentheses skipped. */
export function leadingWords(sql: string, n = 2): string[] {
  return stripComments(sql)
    .replace(/^[\s(]+/, '')
    .split(/[\s;(]+/)
    .filter(Boolean)
    .slice(0, n)
    .map((w) => w.toUpperCase());
}

/**
 * Statements about the database rather than the streams (what tools run on connect): they name the system
 * catalogs or a catalog function. They run against the catalog mirror (PgCatalog), not the archive.
 */
const CATALOG_REFERENCE =
  /\b(pg_catalog|information_schema|pg_[a-z_]+|version\s*\(|current_schemas?\b|current_database|current_setting|current_user|session_user|current_role|current_catalog|has_\w+_privilege|format_type|col_description|obj_description|quote_ident|txid_current|inet_server_\w+|set_config|array_upper|array_lower)/i;

export function isCatalogStatement(sql: string): boolean {
  return CATALOG_REFERENCE.test(stripComments(sql).replace(/'(?:[^']|'')*'/g, "''"));
}

/** A table after FROM or JOIN, optionally schema-qualified, quoted or not. */
const TABLE_REFERENCE = /\b(?:from|join)\s+((?:(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*\.\s*)*)("(?:[^"]|"")+"|[A-Za-z_][\w$]*)/gi;

const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase());

/**
 * Where a statement runs: on the catalog mirror or over the streams. A statement that reads a stream table (after
 * FROM or JOIN) goes to the streams, even when it calls a catalog function or the stream is named like a system
 * table (`pg_events`): the mirror's tables are empty and would answer 0 rows. One that reads both a stream and a
 * system table is refused with 0A000, as neither side could answer it.
 */
export function routeStatement(sql: string, streams: ReadonlySet<string>): 'catalog' | 'streams' {
  const text = stripComments(sql).replace(/'(?:[^']|'')*'/g, "''");
  const lower = new Set([...streams].map((s) => s.toLowerCase()));
  let readsStream = false;
  let readsCatalog = false;
  for (const m of text.matchAll(TABLE_REFERENCE)) {
    const schema = m[1] ? unquote(m[1].replace(/\s*\.\s*$/, '').split(/\s*\.\s*/).at(-1) ?? '') : '';
    const name = unquote(m[2]);
    if (schema === 'pg_catalog' || schema === 'information_schema') readsCatalog = true;
    else if ((!schema || schema === 'public') && (streams.has(name) || lower.has(name.toLowerCase()))) readsStream = true;
    else if (!schema && /^pg_/i.test(name)) readsCatalog = true;
  }
  if (readsStream && readsCatalog) throw new PgError('0A000', 'a statement may read stream tables or the system catalogs, not both', { hint: 'run the catalog part and the stream part as two statements' });
  if (readsStream) return 'streams';
  return isCatalogStatement(sql) ? 'catalog' : 'streams';
}

/** Strings, comments, or a `public.` / `flux.public.` qualifier (quoted or not) followed by a name. */
const QUALIFIER = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|(?:(?:"flux"|\bflux)\s*\.\s*)?(?:"public"|\bpublic)\s*\.\s*(?=["A-Za-z_])/gi;

/**
 * Drops the `public.` (and `flux.public.`) qualifiers tools put on table names (DBeaver, Metabase: `"public"."orders"`),
 * outside strings and comments: the streams are `public`'s tables here, and unqualified names in the query engine.
 */
export function stripPublicSchema(sql: string): string {
  return sql.replace(QUALIFIER, (m) => (m.startsWith("'") || m.startsWith('--') || m.startsWith('/*') ? m : ''));
}

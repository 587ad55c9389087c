import { cloneAst, isObject, stringifyAst, walk, walkScoped, type Json } from './sql-ast';

/** The prefix of a typed virtual column's name (stream-view.ts typedColumnName), in lower case. */
const TYPED_PREFIX = 'payload.';

/** What the rewrite knows of one stream table that has field columns. */
export interface RewriteTable {
  /** the internal view with the hidden columns (wideViewName) */
  wide: string;
  /** per field: its hidden text column, and its typed virtual column's name (`payload.<path>`) when it has one */
  fields: { path: string[]; hidden: string; typed?: { name: string } }[];
}

export interface FieldRewrite {
  /** the modified statement tree (the input is not changed) */
  ast: Json;
  /** how many extractions now read a field column */
  rewritten: number;
  /**
   * Select-list items that had no alias, and the SELECT node of each: the engine names each `target` after its
   * `original` expression where the result's columns are not named by position, so names stay the user's SQL's.
   */
  unnamed: { original: Json; target: Json; node: Json }[];
}

/**
 * Rewrites `payload->>'k'`, `payload->>'$.a.b'`, `json_extract_string(payload, '$.a')`, `t.payload->>'k'` and
 * `payload->'a'->>'b'` over a stream table's payload into that table's hidden field column, in DuckDB's statement
 * tree (json_serialize_sql). Per SELECT node: the stream tables of its own FROM (a CTE of the same name in scope is
 * not one) are swapped for their wide view under the same name, and every star of the node gets EXCLUDE of the
 * hidden columns, so the node's output is what it was. A node is left as it is when it cannot be proven safe: a
 * NATURAL or USING join, a column list on the table alias, a select item named `payload`, COLUMNS(...) or a star
 * expression (ORDER BY ALL is one) in the node; a whole-row reference to a stream table or a PIVOT anywhere. An
 * unqualified `payload` is rewritten only when the FROM is that one stream table; a qualified one only when the
 * qualifier names a stream table of the same node (a correlated reference into an outer query is left alone).
 * Lambda bodies are not entered. A reference to a typed virtual column (`"payload.customer"`, `o."payload.customer"`),
 * resolved by the same rules, is a reason to read the wide view too (it is left as written: the wide view has the
 * column); stars then leave the typed columns out as well. Nothing is rewritten when a CTE's name starts with
 * `__flux_` (it could capture a wide view's name). Returns undefined when nothing was rewritten.
 */
export function rewriteFieldRefs(input: Json, tables: ReadonlyMap<string, RewriteTable>): FieldRewrite | undefined {
  if (tables.size === 0) return undefined;
  const ast = cloneAst(input);
  // Statement-wide refusals: forms whose meaning depends on a table's full column list.
  let refused = false;
  const singleNames = new Set<string>();
  walk(ast, (n) => {
    if (n.type === 'PIVOT' || n.type === 'SHOW_REF' || n.type === 'COLUMN_DATA' || n.type === 'DELIM_GET') refused = true;
    if (isObject(n.cte_map) && Array.isArray(n.cte_map.map) && (n.cte_map.map as Json[]).some((e) => String(e.key).toLowerCase().startsWith('__flux_'))) refused = true;
    if (n.type === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.length === 1) singleNames.add(String(n.column_names[0]).toLowerCase());
  });
  if (refused) return undefined;
  const result: FieldRewrite = { ast, rewritten: 0, unnamed: [] };
  // Unnamed select items as written (stars aside), in every node: any that the rewrite changes, in its own node or in
  // a subquery inside it, keeps the name DuckDB gives the original.
  const unnamed: { item: Json; node: Json; original: Json; text: string }[] = [];
  walk(ast, (n) => {
    if (n.type !== 'SELECT_NODE' || !Array.isArray(n.select_list)) return;
    for (const item of n.select_list) if (isObject(item) && !item.alias && item.class !== 'STAR') unnamed.push({ item, node: n, original: cloneAst(item), text: stringifyAst(item) });
  });
  walkScoped(ast, (node, ctes) => {
    if (node.type !== 'SELECT_NODE') return;
    const own = isObject(node.cte_map) && Array.isArray(node.cte_map.map) ? (node.cte_map.map as Json[]).map((e) => String(e.key).toLowerCase()) : [];
    rewriteNode(node, new Set([...ctes, ...own]), tables, singleNames, result);
  });
  for (const u of unnamed) if (stringifyAst(u.item) !== u.text) result.unnamed.push({ original: u.original, target: u.item, node: u.node });
  return result.rewritten > 0 ? result : undefined;
}

/**
 * DuckDB prints a DOUBLE constant (`1e-1`, `2.5e3`) as a decimal (`0.1`), which parses back as a DECIMAL: a rewritten
 * statement holding one would not parse back to itself, and would run unrewritten. This turns each, in place, into
 * `CAST('<its value>' AS DOUBLE)`: the same value (DuckDB serializes the shortest text that reads back as the same
 * double) and the same type, and it prints and parses back as itself. Only where that changes no name: a constant
 * inside an unaliased select item stays (the item is named after its text), and so does one that is a whole ORDER BY,
 * GROUP BY or DISTINCT ON item (a constant there can mean a column position); a statement that keeps one runs as written.
 */
export function pinDoubleConstants(ast: Json): void {
  const keep = new Set<Json>();
  walk(ast, (n) => {
    if (n.type === 'ORDER_MODIFIER' && Array.isArray(n.orders)) for (const o of n.orders) if (isObject(o) && isObject(o.expression)) keep.add(o.expression);
    if (n.type === 'DISTINCT_MODIFIER' && Array.isArray(n.distinct_on_targets)) for (const t of n.distinct_on_targets) if (isObject(t)) keep.add(t);
    if (Array.isArray(n.group_expressions)) for (const g of n.group_expressions) if (isObject(g)) keep.add(g);
    if (n.type === 'SELECT_NODE' && Array.isArray(n.select_list)) for (const item of n.select_list) if (isObject(item) && !item.alias) walk(item, (m) => keep.add(m));
  });
  walk(ast, (n) => {
    if (keep.has(n) || n.type !== 'VALUE_CONSTANT' || !isObject(n.value) || n.value.is_null || !isObject(n.value.type) || n.value.type.id !== 'DOUBLE') return;
    const text: Json = { class: 'CONSTANT', type: 'VALUE_CONSTANT', alias: '', query_location: n.query_location, value: { type: { id: 'VARCHAR', type_info: null }, is_null: false, value: stringifyAst(n.value.value) } };
    const cast: Json = { class: 'CAST', type: 'OPERATOR_CAST', alias: n.alias ?? '', query_location: n.query_location, child: text, cast_type: { id: 'DOUBLE', type_info: null }, try_cast: false };
    replaceInPlace(n, cast);
  });
}

/**
 * The SELECT nodes whose select lists give a statement's result its columns, by position: the top node, or every
 * branch of a top set operation (but UNION BY NAME, which matches branches by name).
 */
export function resultSelectNodes(ast: Json): Set<Json> {
  const out = new Set<Json>();
  const visit = (node: unknown): void => {
    if (!isObject(node)) return;
    if (node.type === 'SELECT_NODE') out.add(node);
    else if (node.type === 'SET_OPERATION_NODE' && node.setop_type !== 'UNION_BY_NAME') {
      visit(node.left);
      visit(node.right);
    }
  };
  for (const statement of Array.isArray(ast.statements) ? ast.statements : []) if (isObject(statement)) visit(statement.node);
  return out;
}

/** Turns `node` into `replacement` (the same object, so references to it, e.g. from `unnamed`, still hold). */
function replaceInPlace(node: Json, replacement: Json): void {
  for (const key of Object.keys(node)) delete node[key];
  Object.assign(node, replacement);
}

interface FromItem {
  /** the name columns are qualified with (alias, else table name), lower case */
  binding: string;
  node: Json;
  table?: RewriteTable;
}

/** A from-item that is a stream table with field columns. */
type StreamItem = FromItem & { table: RewriteTable };

function fromItems(from: unknown, tables: ReadonlyMap<string, RewriteTable>, ctes: ReadonlySet<string>, out: FromItem[], conditions: unknown[]): boolean {
  if (!isObject(from)) return true;
  switch (from.type) {
    case 'EMPTY':
      return true;
    case 'JOIN':
      if ((Array.isArray(from.using_columns) && from.using_columns.length > 0) || from.ref_type === 'NATURAL') return false;
      conditions.push(from.condition);
      return fromItems(from.left, tables, ctes, out, conditions) && fromItems(from.right, tables, ctes, out, conditions);
    case 'BASE_TABLE': {
      const name = String(from.table_name).toLowerCase();
      const plain = !from.schema_name && !from.catalog_name && !ctes.has(name);
      const table = plain ? tables.get(name) : undefined;
      if (table && Array.isArray(from.column_name_alias) && from.column_name_alias.length > 0) return false;
      out.push({ binding: String(from.alias || from.table_name).toLowerCase(), node: from, table });
      return true;
    }
    case 'SUBQUERY':
    case 'TABLE_FUNCTION':
    case 'EXPRESSION_LIST':
      out.push({ binding: String(from.alias ?? '').toLowerCase(), node: from });
      return true;
    default:
      return false;
  }
}

/** Visits the node's own expressions: not into subqueries (their own nodes) nor lambda bodies. */
function walkExpressions(node: unknown, visit: (n: Json) => boolean | void): void {
  if (Array.isArray(node)) {
    for (const item of node) walkExpressions(item, visit);
    return;
  }
  if (!isObject(node)) return;
  if (visit(node) === false) return;
  if (node.class === 'SUBQUERY' || node.type === 'LAMBDA') return;
  for (const value of Object.values(node)) walkExpressions(value, visit);
}

function rewriteNode(node: Json, ctes: ReadonlySet<string>, tables: ReadonlyMap<string, RewriteTable>, singleNames: ReadonlySet<string>, result: FieldRewrite): void {
  const items: FromItem[] = [];
  const conditions: unknown[] = [];
  if (!fromItems(node.from_table, tables, ctes, items, conditions)) return;
  const streams = items.filter((i): i is StreamItem => i.table !== undefined);
  if (streams.length === 0) return;
  if (streams.some((s) => singleNames.has(s.binding))) return; // a whole-row reference would see the hidden columns
  const selectList = Array.isArray(node.select_list) ? (node.select_list as Json[]) : [];
  if (selectList.some((e) => String(e.alias ?? '').toLowerCase() === 'payload')) return;
  const expressions = [node.select_list, node.where_clause, node.group_expressions, node.having, node.qualify, node.modifiers, conditions];
  // COLUMNS(...) and star expressions expand this node's columns in ways an EXCLUDE cannot follow (ORDER BY ALL is one).
  let starExpression = false;
  walkExpressions(expressions, (n) => {
    if (n.type === 'STAR' && (n.columns === true || n.expr)) starExpression = true;
  });
  if (starExpression) return;

  // The stream item a column reference named `column` (lower case) resolves to, by payload's scoping rules.
  const resolveNamed = (ref: unknown, column: (s: StreamItem) => boolean): StreamItem | undefined => {
    if (!isObject(ref) || ref.type !== 'COLUMN_REF' || !Array.isArray(ref.column_names)) return undefined;
    const parts = (ref.column_names as string[]).map((p) => p.toLowerCase());
    const pick = (item: StreamItem | undefined) => (item && column(item) ? item : undefined);
    if (parts.length === 1) return items.length === 1 ? pick(streams[0]) : undefined;
    if (parts.length !== 2) return undefined;
    const named = items.filter((i) => i.binding === parts[0]);
    return named.length === 1 && named[0].table ? pick(named[0] as StreamItem) : undefined;
  };
  const lastName = (ref: Json) => String((ref.column_names as string[]).at(-1)).toLowerCase();
  const resolve = (ref: unknown): StreamItem | undefined =>
    resolveNamed(ref, () => isObject(ref) && Array.isArray(ref.column_names) && lastName(ref) === 'payload');
  const typedNames = (s: StreamItem) => s.table.fields.flatMap((f) => (f.typed ? [f.typed.name.toLowerCase()] : []));
  const resolveTyped = (ref: Json): StreamItem | undefined =>
    Array.isArray(ref.column_names) && lastName(ref).startsWith(TYPED_PREFIX) ? resolveNamed(ref, (s) => typedNames(s).includes(lastName(ref))) : undefined;

  let changed = 0;
  walkExpressions(expressions, (n) => {
    if (n.type === 'COLUMN_REF' && resolveTyped(n)) {
      changed++; // read from the wide view, as written
      return false;
    }
    const match = matchExtraction(n, resolve);
    if (!match) return;
    const field = match.item.table.fields.find((f) => sameKeys(f.path, match.keys));
    if (!field) return;
    const replacement: Json = {
      class: 'COLUMN_REF',
      type: 'COLUMN_REF',
      alias: n.alias ?? '',
      query_location: n.query_location,
      column_names: [match.item.binding, field.hidden],
    };
    replaceInPlace(n, replacement);
    changed++;
    return false;
  });
  if (changed === 0) return;
  result.rewritten += changed;

  // The stream tables of this node read their wide views under the same names; stars leave the typed and hidden
  // columns out.
  for (const s of streams) {
    const ref = s.node;
    ref.alias = ref.alias || ref.table_name;
    ref.table_name = s.table.wide;
  }
  walkExpressions(expressions, (n) => {
    if (n.type !== 'STAR') return;
    const relation = String(n.relation_name ?? '').toLowerCase();
    const hidden = streams
      .filter((s) => relation === '' || s.binding === relation)
      .flatMap((s) => s.table.fields.flatMap((f) => (f.typed ? [f.typed.name, f.hidden] : [f.hidden])));
    n.exclude_list = [...(Array.isArray(n.exclude_list) ? n.exclude_list : []), ...new Set(hidden)];
  });
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function plainFunction(n: Json, names: string[], arity: number): boolean {
  return (
    n.class === 'FUNCTION' &&
    names.includes(String(n.function_name).toLowerCase()) &&
    !n.schema &&
    !n.catalog &&
    !n.filter &&
    !n.distinct &&
    !(isObject(n.order_bys) && Array.isArray(n.order_bys.orders) && n.order_bys.orders.length > 0) &&
    Array.isArray(n.children) &&
    n.children.length === arity
  );
}

function stringConstant(n: unknown): string | undefined {
  if (!isObject(n) || n.type !== 'VALUE_CONSTANT' || !isObject(n.value) || n.value.is_null) return undefined;
  return isObject(n.value.type) && n.value.type.id === 'VARCHAR' ? String(n.value.value) : undefined;
}

/**
 * The key path of a text extraction over a stream table's payload: `X->>p` or `json_extract_string(X, p)` where X
 * is the payload column, or `payload->'a'` / `json_extract(payload, 'a')` (then the keys add up: extracting from
 * the extracted JSON value is extracting the longer path).
 */
function matchExtraction(n: Json, resolve: (ref: unknown) => StreamItem | undefined): { item: StreamItem; keys: string[] } | undefined {
  if (!plainFunction(n, ['->>', 'json_extract_string'], 2)) return undefined;
  const children = n.children as Json[];
  const keys = pathKeys(stringConstant(children[1]));
  if (!keys) return undefined;
  const direct = resolve(children[0]);
  if (direct) return { item: direct, keys };
  const inner = children[0];
  // `payload->'a'` outside a lambda-taking function parses as a lambda and binds as the JSON operator.
  const [innerRef, innerPath] =
    inner.type === 'LAMBDA' ? [inner.lhs, inner.expr] : plainFunction(inner, ['->', 'json_extract'], 2) ? (inner.children as unknown[]) : [undefined, undefined];
  const item = resolve(innerRef);
  const prefix = pathKeys(stringConstant(innerPath));
  return item && prefix ? { item, keys: [...prefix, ...keys] } : undefined;
}

const UNQUOTED_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
// eslint-disable-next-line no-control-regex -- the same key rule as isFieldKey (contracts)
const QUOTED_KEY = /^[^"\\.[\]\u0000-\u001f*$]+$/;

/**
 * The object keys a DuckDB JSON path names, for the forms whose meaning is certain: a plain key (`'customer'`: a
 * string not starting with `$` or `/` is one key, dots and all), or a JSONPath of `.key` / `."key"` steps. Anything
 * else (array indexes, wildcards, JSON pointers, escapes) is not rewritten.
 */
export function pathKeys(path: string | undefined): string[] | undefined {
  if (path === undefined || path === '') return undefined;
  if (!path.startsWith('$')) return path.startsWith('/') || !QUOTED_KEY.test(path) ? undefined : [path];
  const keys: string[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const quoted = /^\."([^"]*)"/.exec(rest);
    const plain = /^\.([A-Za-z0-9_]+)/.exec(rest);
    if (quoted && QUOTED_KEY.test(quoted[1])) {
      keys.push(quoted[1]);
      rest = rest.slice(quoted[0].length);
    } else if (plain && UNQUOTED_KEY.test(plain[1])) {
      keys.push(plain[1]);
      rest = rest.slice(plain[0].length);
    } else return undefined;
  }
  return keys.length > 0 ? keys : undefined;
}

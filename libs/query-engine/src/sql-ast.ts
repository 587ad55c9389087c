/** A node of the statement tree DuckDB's `json_serialize_sql` returns. */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Visits every object node of the tree, parents first. */
export function walk(node: unknown, visit: (n: Json) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (isObject(node)) {
    visit(node);
    for (const value of Object.values(node)) walk(value, visit);
  }
}

/**
 * Visits every object node like `walk`, passing the lower-cased CTE names in scope at that node, as DuckDB binds
 * them: a WITH's names are visible in the node that carries it (its body, subqueries, set-operation branches) and
 * in the later definitions of the same WITH, but not in earlier ones, not in a non-recursive definition itself
 * (`WITH orders AS (SELECT * FROM orders)` reads the table) and not outside the node (a WITH inside a subquery
 * does not name anything in the enclosing query). A recursive CTE sees itself.
 */
export function walkScoped(node: unknown, visit: (n: Json, ctes: ReadonlySet<string>) => void, ctes: ReadonlySet<string> = new Set()): void {
  if (Array.isArray(node)) {
    for (const item of node) walkScoped(item, visit, ctes);
    return;
  }
  if (!isObject(node)) return;
  visit(node, ctes);
  let scope = ctes;
  if (node.type === 'RECURSIVE_CTE_NODE' && typeof node.cte_name === 'string') scope = new Set([...scope, node.cte_name.toLowerCase()]);
  const map = isObject(node.cte_map) && Array.isArray(node.cte_map.map) ? (node.cte_map.map as unknown[]) : [];
  if (map.length > 0) {
    // Each definition sees the names defined before it; the body sees them all.
    let visible = new Set(scope);
    for (const entry of map) {
      if (!isObject(entry)) continue;
      visit(entry, visible);
      walkScoped(entry.value, visit, visible);
      if (typeof entry.key === 'string') visible = new Set([...visible, entry.key.toLowerCase()]);
    }
    scope = visible;
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'cte_map') walkScoped(value, visit, scope);
}

/** JSON.rawJSON (Node 21+; not yet in TypeScript's lib): a value JSON.stringify writes as the given JSON text. */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * A json_serialize_sql tree, parsed so that json_deserialize_sql gets it back unchanged: every number is kept as its
 * own text (a BIGINT constant past 2^53, DuckDB's UINT64_MAX "no position"), which a JS number would round.
 */
export function parseAst(text: string): Json {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined ? rawJson(context.source) : value,
  ) as Json;
}

export function stringifyAst(ast: unknown): string {
  return JSON.stringify(ast);
}

/** A deep copy of a parsed tree (structuredClone would lose the kept number texts). */
export function cloneAst<T>(ast: T): T {
  return parseAst(stringifyAst(ast)) as T;
}

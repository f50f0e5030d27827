/**
 * SQL92 property filters (expression type `SQL92`): compile once, evaluate
 * per message. Compiled expressions are cached by their text, as RocketMQ
 * caches parsed selectors, so every pull of a subscription reuses one tree;
 * failures are cached too, so a bad expression is not re-parsed on every pull.
 *
 * @example
 * const compiled = compileSql92("region IN ('eu', 'us') AND price > 10");
 * if (compiled.ok) compiled.filter({ region: 'eu', price: '12' }); // true
 * else response.remark = compiled.error; // names the column and what was expected
 */
import { Sql92SyntaxError } from './sql92-lexer.ts';
import { matches, type PropertyLookup } from './sql92-evaluate.ts';
import { parseSql92, type Sql92Node } from './sql92-parser.ts';

/** Distinct expressions kept compiled; past it the oldest is dropped. Subscriptions per broker are few. */
export const sql92CacheEntriesMax = 4096;
/** Longest expression accepted; a heartbeat or pull header carries it, and it is parsed recursively. */
export const sql92ExpressionLengthMax = 16 * 1024;

export type PropertiesInput = ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>;

export interface CompiledSql92 {
  ok: true;
  expression: string;
  /** The tree, for tests and diagnostics. */
  node: Sql92Node;
  /** True when the message with these properties matches. */
  filter(properties: PropertiesInput): boolean;
  /** The same test over a lookup function (the store's encoded properties, without decoding them all). */
  filterBy(lookup: PropertyLookup): boolean;
}

export interface Sql92Failure {
  ok: false;
  expression: string;
  /** Says what was wrong, where (column) and what was expected. */
  error: string;
  /** 1-based column of the fault. */
  column: number;
}

export type Sql92CompileResult = CompiledSql92 | Sql92Failure;

const cache = new Map<string, Sql92CompileResult>();

/** Compiles (or fetches from the cache) an SQL92 filter expression. */
export function compileSql92(expression: string): Sql92CompileResult {
  const cached = cache.get(expression);
  if (cached) return cached;
  const result = compileUncached(expression);
  if (cache.size >= sql92CacheEntriesMax) cache.delete(cache.keys().next().value!);
  cache.set(expression, result);
  return result;
}

function compileUncached(expression: string): Sql92CompileResult {
  if (expression.length > sql92ExpressionLengthMax) {
    return failure(expression, `the expression is ${expression.length} characters, longer than ${sql92ExpressionLengthMax}`, sql92ExpressionLengthMax + 1);
  }
  let node: Sql92Node;
  try {
    node = parseSql92(expression);
  } catch (error) {
    if (error instanceof Sql92SyntaxError) return failure(expression, error.message, error.column);
    // A deeply nested expression can exhaust the stack; that is bad input, not a broker fault.
    if (error instanceof RangeError) return failure(expression, 'the expression is nested too deeply', 1);
    throw error;
  }
  return {
    ok: true,
    expression,
    node,
    filter: (properties) => matches(node, lookupOf(properties)),
    filterBy: (lookup) => matches(node, lookup),
  };
}

function failure(expression: string, reason: string, column: number): Sql92Failure {
  return { ok: false, expression, error: `invalid SQL92 expression ${JSON.stringify(abbreviate(expression))}: ${reason}`, column };
}

function abbreviate(expression: string): string {
  return expression.length > 200 ? `${expression.slice(0, 200)}…` : expression;
}

function lookupOf(properties: PropertiesInput): PropertyLookup {
  if (properties instanceof Map) return (name) => properties.get(name);
  const record = properties as Readonly<Record<string, string | undefined>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

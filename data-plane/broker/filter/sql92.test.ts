/**
 * SQL92 filter tests: each case compiles an expression and evaluates it over
 * plain property maps, checking RocketMQ's semantics (three-valued logic,
 * string-to-number conversion, refusals at parse time). A property-based
 * test prints random trees back to text and checks that parsing the text
 * evaluates the same way as the tree it came from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeProperties } from '../../../sdk/protocol/message-properties.ts';
import { createSql92MessageFilter } from './message-filter.ts';
import { evaluate } from './sql92-evaluate.ts';
import { compileSql92, sql92ExpressionLengthMax } from './sql92.ts';

function match(expression: string, properties: Record<string, string>): boolean {
  const compiled = compileSql92(expression);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.filter(properties);
}

function refusal(expression: string): string {
  const compiled = compileSql92(expression);
  if (compiled.ok) throw new Error(`expected ${expression} to be refused`);
  return compiled.error;
}

describe('SQL92 comparisons', () => {
  it('compares a property with a number literal after converting it', () => {
    expect(match('a > 5', { a: '10' })).toBe(true);
    expect(match('a > 5', { a: '3' })).toBe(false);
    expect(match('a >= 5', { a: '5' })).toBe(true);
    expect(match('a < 5.5', { a: '5.25' })).toBe(true);
    expect(match('a <= -2', { a: '-2' })).toBe(true);
    expect(match('a = 10', { a: '10' })).toBe(true);
    expect(match('a <> 10', { a: '11' })).toBe(true);
  });

  it('does not match when the property is not a number of the literal kind', () => {
    expect(match('a > 5', { a: 'ten' })).toBe(false);
    // A long literal needs a long-shaped value, as Java's Long.valueOf does.
    expect(match('a > 5', { a: '10.5' })).toBe(false);
    expect(match('a > 5.0', { a: '10.5' })).toBe(true);
  });

  it('fails the whole expression on a conversion error, even inside OR', () => {
    expect(match("a = 10 OR b = 'x'", { a: 'abc', b: 'x' })).toBe(false);
  });

  it('compares strings for equality and two string properties as doubles', () => {
    expect(match("a = 'x'", { a: 'x' })).toBe(true);
    expect(match("a <> 'x'", { a: 'y' })).toBe(true);
    expect(match('a > b', { a: '10', b: '9' })).toBe(true);
    expect(match('a > b', { a: 'x', b: '9' })).toBe(false);
  });

  it('reads TRUE and FALSE literals against "true" in any case', () => {
    expect(match('flag = TRUE', { flag: 'TRUE' })).toBe(true);
    expect(match('flag = FALSE', { flag: 'no' })).toBe(true);
    expect(match('TRUE', {})).toBe(true);
    expect(match('FALSE', {})).toBe(false);
  });

  it('supports BETWEEN, NOT BETWEEN, IN and NOT IN', () => {
    expect(match('a BETWEEN 1 AND 3', { a: '2' })).toBe(true);
    expect(match('a BETWEEN 1 AND 3', { a: '4' })).toBe(false);
    expect(match('a NOT BETWEEN 1 AND 3', { a: '4' })).toBe(true);
    expect(match("region IN ('eu', 'us')", { region: 'us' })).toBe(true);
    expect(match("region IN ('eu', 'us')", { region: 'ap' })).toBe(false);
    expect(match("region NOT IN ('eu', 'us')", { region: 'ap' })).toBe(true);
  });

  it('supports CONTAINS, STARTSWITH, ENDSWITH and their negations', () => {
    expect(match("s CONTAINS 'ell'", { s: 'hello' })).toBe(true);
    expect(match("s NOT CONTAINS 'ell'", { s: 'hello' })).toBe(false);
    expect(match("s STARTSWITH 'he'", { s: 'hello' })).toBe(true);
    expect(match("s ENDSWITH 'lo'", { s: 'hello' })).toBe(true);
    expect(match("s NOT CONTAINS 'x'", {})).toBe(false);
  });

  it('keeps keywords case-insensitive and quotes escaped by doubling', () => {
    expect(match("a = 'it''s' and b is not null", { a: "it's", b: '1' })).toBe(true);
    expect(match('a Between 1 aNd 2 -- trailing comment\n', { a: '1' })).toBe(true);
    expect(match('/* c */ a = 1', { a: '1' })).toBe(true);
  });
});

describe('SQL92 missing properties', () => {
  it('treats a missing property as NULL: comparisons are unknown and never match', () => {
    expect(match("a <> 'x'", {})).toBe(false);
    expect(match("a = 'x'", {})).toBe(false);
    expect(match("NOT (a = 'x')", {})).toBe(false);
    expect(match('a > 1', {})).toBe(false);
    expect(match("a IN ('x')", {})).toBe(false);
    expect(match("a NOT IN ('x')", {})).toBe(false);
  });

  it('answers IS NULL and IS NOT NULL exactly', () => {
    expect(match('a IS NULL', {})).toBe(true);
    expect(match('a IS NULL', { a: '1' })).toBe(false);
    expect(match('a IS NOT NULL', { a: '1' })).toBe(true);
    expect(match('a IS NOT NULL', {})).toBe(false);
  });

  it('applies three-valued AND and OR', () => {
    expect(match("a = 'x' OR b = 'y'", { b: 'y' })).toBe(true);
    expect(match("a = 'x' AND b = 'y'", { b: 'y' })).toBe(false);
    expect(match("NOT (a = 'x' AND b = 'z')", { b: 'y' })).toBe(true);
    expect(match("NOT (a = 'x' OR b = 'z')", { b: 'y' })).toBe(false);
  });

  it('answers FALSE, not unknown, when only the right side of = is missing', () => {
    const compiled = compileSql92("'x' = a");
    expect(compiled.ok && evaluate(compiled.node, () => undefined)).toBe(false);
    expect(match("NOT ('x' = a)", {})).toBe(true);
  });
});

describe('SQL92 refusals', () => {
  it('names the column and what was expected', () => {
    const error = refusal('a > ');
    expect(error).toContain('column 5');
    expect(error).toContain('expected a value');
    expect(refusal("a = 'x' b")).toMatch(/found the property b at column 9, expected AND, OR/);
    expect(refusal('(a = 1')).toMatch(/column 7, expected "\)"/);
    expect(refusal("a = 'open")).toContain('unterminated string literal starting at column 5');
    expect(refusal('a # 1')).toContain('unexpected character "#" at column 3');
  });

  it('refuses ordering against strings, booleans and NULL', () => {
    expect(refusal("a > 'x'")).toContain('cannot be compared');
    expect(refusal('a < TRUE')).toContain('cannot be compared');
    expect(refusal('a >= NULL')).toContain('cannot be compared');
    expect(refusal("(a = 'x') > 1")).toContain('a condition cannot be compared');
  });

  it('refuses = NULL, IN without a property, an inverted BETWEEN and an empty expression', () => {
    expect(refusal('a = NULL')).toContain('IS NULL');
    expect(refusal("'x' IN ('x')")).toContain('needs a property');
    expect(refusal('a BETWEEN 3 AND 1')).toContain('at most its high value');
    expect(refusal('   ')).toContain('empty');
    expect(refusal("'x'")).toContain('does not result in a boolean');
    expect(refusal('a IN (1)')).toContain("expected a 'string' literal");
  });

  it('accepts an expression at the length limit and refuses one just past it', () => {
    const filler = ' '.repeat(sql92ExpressionLengthMax - 'a = 1'.length);
    expect(compileSql92(`a = 1${filler}`).ok).toBe(true);
    expect(refusal(`a = 1${filler} `)).toContain(`longer than ${sql92ExpressionLengthMax}`);
  });

  it('caches compiled expressions and failures by their text', () => {
    expect(compileSql92('a = 1')).toBe(compileSql92('a = 1'));
    expect(compileSql92('a = ')).toBe(compileSql92('a = '));
  });
});

describe('SQL92 message filter seam', () => {
  it('passes every ConsumeQueue unit and decides on the encoded properties', () => {
    const created = createSql92MessageFilter("color = 'red' AND size > 2");
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const filter = created.messageFilter;
    expect(filter.isMatchedByConsumeQueue(123)).toBe(true);
    expect(filter.isMatchedByCommitLog(encodeProperties({ color: 'red', size: '3', TAGS: 'A' }))).toBe(true);
    expect(filter.isMatchedByCommitLog(encodeProperties({ color: 'red', size: '1' }))).toBe(false);
    expect(filter.isMatchedByCommitLog('')).toBe(false);
  });

  it('returns the parse error for a bad expression', () => {
    const created = createSql92MessageFilter('color = ');
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created.error).toContain('column 9');
  });
});

// Random trees of conditions over three properties, printed with full parentheses.
const names = ['a', 'b', 'c'] as const;
const values = ['1', '2', 'x', 'true'] as const;

type Tree =
  | { t: 'cmp'; name: string; op: string; n: number }
  | { t: 'eq'; name: string; s: string }
  | { t: 'null'; name: string; not: boolean }
  | { t: 'in'; name: string; list: string[] }
  | { t: 'not'; e: Tree }
  | { t: 'and' | 'or'; l: Tree; r: Tree };

const treeArbitrary: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('cmp' as const), name: fc.constantFrom(...names), op: fc.constantFrom('>', '>=', '<', '<=', '=', '<>'), n: fc.integer({ min: -3, max: 3 }) }),
    fc.record({ t: fc.constant('eq' as const), name: fc.constantFrom(...names), s: fc.constantFrom(...values) }),
    fc.record({ t: fc.constant('null' as const), name: fc.constantFrom(...names), not: fc.boolean() }),
    fc.record({ t: fc.constant('in' as const), name: fc.constantFrom(...names), list: fc.array(fc.constantFrom(...values), { minLength: 1, maxLength: 3 }) }),
    fc.record({ t: fc.constant('not' as const), e: tie('tree') }),
    fc.record({ t: fc.constantFrom('and' as const, 'or' as const), l: tie('tree'), r: tie('tree') }),
  ),
})).tree;

function print(tree: Tree): string {
  switch (tree.t) {
    case 'cmp':
      return `${tree.name} ${tree.op} ${tree.n}`;
    case 'eq':
      return `${tree.name} = '${tree.s}'`;
    case 'null':
      return `${tree.name} IS ${tree.not ? 'NOT ' : ''}NULL`;
    case 'in':
      return `${tree.name} IN (${tree.list.map((v) => `'${v}'`).join(', ')})`;
    case 'not':
      return `NOT (${print(tree.e)})`;
    default:
      return `(${print(tree.l)}) ${tree.t.toUpperCase()} (${print(tree.r)})`;
  }
}

/** A reference evaluator written from the documented semantics; 'error' aborts the whole message. */
function reference(tree: Tree, properties: Record<string, string>): boolean | null | 'error' {
  switch (tree.t) {
    case 'cmp': {
      const value = properties[tree.name];
      if (value === undefined) return null;
      if (!/^[+-]?\d+$/.test(value)) return 'error';
      const n = Number(value);
      const result = { '>': n > tree.n, '>=': n >= tree.n, '<': n < tree.n, '<=': n <= tree.n, '=': n === tree.n, '<>': n !== tree.n }[tree.op];
      return result!;
    }
    case 'eq':
      return properties[tree.name] === undefined ? null : properties[tree.name] === tree.s;
    case 'null':
      return (properties[tree.name] === undefined) !== tree.not;
    case 'in':
      return properties[tree.name] === undefined ? null : tree.list.includes(properties[tree.name]!);
    case 'not': {
      const inner = reference(tree.e, properties);
      return inner === 'error' ? inner : inner === null ? null : !inner;
    }
    case 'and': {
      const l = reference(tree.l, properties);
      if (l === 'error') return l;
      if (l === false) return false;
      const r = reference(tree.r, properties);
      if (r === 'error' || r === false) return r;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = reference(tree.l, properties);
      if (l === 'error') return l;
      if (l === true) return true;
      const r = reference(tree.r, properties);
      if (r === 'error' || r === true) return r;
      return l === null || r === null ? null : false;
    }
  }
}

describe('SQL92 property-based', () => {
  it('evaluates printed random expressions like a reference evaluator', () => {
    const propertiesArbitrary = fc.record(
      { a: fc.constantFrom(...values), b: fc.constantFrom(...values), c: fc.constantFrom(...values) },
      { requiredKeys: [] },
    ) as fc.Arbitrary<Record<string, string>>;
    fc.assert(
      fc.property(treeArbitrary, propertiesArbitrary, (tree, properties) => {
        const compiled = compileSql92(print(tree));
        expect(compiled.ok).toBe(true);
        if (!compiled.ok) return;
        expect(compiled.filter(properties)).toBe(reference(tree, properties) === true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary input text, answering a compiled filter or an error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const compiled = compileSql92(text);
        if (compiled.ok) expect(typeof compiled.filter({ a: '1' })).toBe('boolean');
        else expect(compiled.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Evaluation of a parsed SQL92 filter against one message's properties, with
 * RocketMQ's semantics (its filter module, derived from ActiveMQ selectors):
 *
 * - Three-valued logic: a missing property is NULL, a comparison with NULL
 *   is unknown, NOT unknown is unknown, and a message matches only when the
 *   whole expression is TRUE. `x = 'a'` with `x` missing is unknown, while
 *   `'a' = x` is FALSE (RocketMQ checks the left side first); IS NULL is TRUE.
 * - Property values are strings. Compared with a number literal, the
 *   property is converted to that literal's type (a long literal needs a
 *   long-shaped value, a decimal literal any double); compared with TRUE or
 *   FALSE it is true exactly when it reads "true" in any case.
 * - `>`/`<` between two strings compares them as doubles when both parse.
 * - A conversion that fails is an evaluation error, which makes the whole
 *   message not match (RocketMQ logs and skips it), even inside an OR.
 * - CONTAINS, STARTSWITH and ENDSWITH (and their NOT forms) are FALSE for a
 *   missing property or an empty search string.
 */
import type { Sql92Node, Sql92Value } from './sql92-parser.ts';

/** How the evaluator reads a property; undefined means missing. */
export type PropertyLookup = (name: string) => string | undefined;

/** Raised inside evaluation when a value cannot be converted; never escapes `matches`. */
class EvaluationError extends Error {}

const evaluationError = new EvaluationError('conversion failed');

/** True when the expression is TRUE for these properties; an evaluation error is false. */
export function matches(node: Sql92Node, lookup: PropertyLookup): boolean {
  try {
    return evaluate(node, lookup) === true;
  } catch (error) {
    if (error instanceof EvaluationError) return false;
    throw error;
  }
}

export function evaluate(node: Sql92Node, lookup: PropertyLookup): Sql92Value {
  switch (node.kind) {
    case 'constant':
      return node.value;
    case 'property':
      return lookup(node.name) ?? null;
    case 'and': {
      const left = evaluate(node.left, lookup);
      if (left === false) return false;
      const right = evaluate(node.right, lookup);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case 'or': {
      const left = evaluate(node.left, lookup);
      if (left === true) return true;
      const right = evaluate(node.right, lookup);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case 'not': {
      const value = evaluate(node.operand, lookup);
      return value === null ? null : value !== true;
    }
    case 'booleanCast': {
      const value = evaluate(node.operand, lookup);
      return value === null ? null : value === true;
    }
    case 'negate': {
      const value = evaluate(node.operand, lookup);
      return typeof value === 'bigint' || typeof value === 'number' ? -value : null;
    }
    case 'equal':
      return evaluateEqual(evaluate(node.left, lookup), evaluate(node.right, lookup));
    case 'compare': {
      const left = evaluate(node.left, lookup);
      if (left === null) return null;
      const right = evaluate(node.right, lookup);
      if (right === null) return null;
      const order = typeof left === 'string' && typeof right === 'string'
        ? compareDoubles(parseJavaDouble(left), parseJavaDouble(right))
        : compareValues(left, right);
      return orderSatisfies(node.operator, order);
    }
    case 'in': {
      const value = lookup(node.property);
      if (value === undefined) return null;
      return node.values.has(value) !== node.not;
    }
    case 'string': {
      if (node.search.length === 0) return false;
      const value = evaluate(node.operand, lookup);
      if (typeof value !== 'string') return false;
      const found = node.operator === 'CONTAINS' ? value.includes(node.search)
        : node.operator === 'STARTSWITH' ? value.startsWith(node.search)
          : value.endsWith(node.search);
      return found !== node.not;
    }
  }
}

function evaluateEqual(left: Sql92Value, right: Sql92Value): Sql92Value {
  if ((left === null) !== (right === null)) return left === null ? null : false;
  if (left === null) return true;
  if (typeof left === typeof right) return javaEquals(left, right!) || compareValues(left, right!) === 0;
  return compareValues(left, right!) === 0;
}

function javaEquals(left: Exclude<Sql92Value, null>, right: Exclude<Sql92Value, null>): boolean {
  if (typeof left === 'number' && typeof right === 'number') return Object.is(left, right);
  return left === right;
}

function orderSatisfies(operator: '>' | '>=' | '<' | '<=', order: number): boolean {
  switch (operator) {
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

/**
 * Java's compareTo after RocketMQ's conversions: numbers widen (long to
 * double), a string converts to the other side's type, and incompatible
 * kinds order as "less" (-1), as RocketMQ answers.
 */
function compareValues(left: Exclude<Sql92Value, null>, right: Exclude<Sql92Value, null>): number {
  switch (typeof left) {
    case 'boolean':
      if (typeof right === 'boolean') return left === right ? 0 : left ? 1 : -1;
      // RocketMQ fails on a boolean compared with a string; other kinds order as less.
      if (typeof right === 'string') throw evaluationError;
      return -1;
    case 'bigint':
      if (typeof right === 'bigint') return left < right ? -1 : left > right ? 1 : 0;
      if (typeof right === 'number') return compareDoubles(Number(left), right);
      if (typeof right === 'string') return compareLongs(left, parseJavaLong(right));
      return -1;
    case 'number':
      if (typeof right === 'number') return compareDoubles(left, right);
      if (typeof right === 'bigint') return compareDoubles(left, Number(right));
      if (typeof right === 'string') return compareDoubles(left, parseJavaDouble(right));
      return -1;
    case 'string':
      if (typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
      if (typeof right === 'boolean') {
        const value = left.toLowerCase() === 'true';
        return value === right ? 0 : value ? 1 : -1;
      }
      if (typeof right === 'bigint') return compareLongs(parseJavaLong(left), right);
      return compareDoubles(parseJavaDouble(left), right);
  }
  return -1;
}

function compareLongs(left: bigint, right: bigint): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Java's Double.compareTo: NaN above everything and equal to itself, -0.0 below 0.0. */
function compareDoubles(left: number, right: number): number {
  if (left < right) return -1;
  if (left > right) return 1;
  if (Number.isNaN(left) || Number.isNaN(right)) return Number.isNaN(left) ? (Number.isNaN(right) ? 0 : 1) : -1;
  if (left === 0 && right === 0) return Object.is(left, right) ? 0 : Object.is(left, -0) ? -1 : 1;
  return 0;
}

const LONG_TEXT = /^[+-]?\d+$/;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

/** Java's Long.valueOf(String): optional sign, digits only, within the long range. */
export function parseJavaLong(text: string): bigint {
  if (!LONG_TEXT.test(text)) throw evaluationError;
  const value = BigInt(text);
  if (value < LONG_MIN || value > LONG_MAX) throw evaluationError;
  return value;
}

const DOUBLE_TEXT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

/** Java's Double.valueOf(String) for decimal text: surrounding blanks trimmed, f/d suffix allowed. */
export function parseJavaDouble(text: string): number {
  // eslint-disable-next-line no-control-regex
  const trimmed = text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (!DOUBLE_TEXT.test(trimmed)) throw evaluationError;
  return Number(trimmed.replace(/[fFdD]$/, ''));
}

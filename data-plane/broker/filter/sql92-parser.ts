/**
 * Parser of RocketMQ's SQL92 property filter. It follows the precedence of
 * RocketMQ's SelectorParser grammar, loosest first:
 *
 *   or          := and ( OR and )*
 *   and         := equality ( AND equality )*
 *   equality    := comparison ( '=' comparison | '<>' comparison | IS [NOT] NULL )*
 *   comparison  := unary ( ('>'|'>='|'<'|'<=') unary | [NOT] (CONTAINS|STARTSWITH|ENDSWITH) string
 *                        | [NOT] BETWEEN unary AND unary | [NOT] IN '(' string (',' string)* ')' )*
 *   unary       := '+' unary | '-' unary | NOT unary | primary
 *   primary     := literal | property | '(' or ')'
 *
 * Note that NOT is a unary operator there, binding tighter than `=`: write
 * `NOT (a = 'x')`. The checks RocketMQ makes while building the tree are made
 * here too, so the same expressions are refused: `>`/`<` family operands may
 * not be string, boolean or NULL literals or boolean expressions, `=` may not
 * take a NULL literal, and a BETWEEN over two literals needs low ≤ high.
 */
import { Sql92SyntaxError, tokenize, type Token } from './sql92-lexer.ts';

/** A runtime value: SQL NULL, a boolean, a string, a long (bigint) or a double (number). */
export type Sql92Value = null | boolean | string | bigint | number;

export type ComparisonOperator = '>' | '>=' | '<' | '<=';
export type StringOperator = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

export type Sql92Node =
  | { kind: 'constant'; value: Sql92Value }
  | { kind: 'property'; name: string }
  | { kind: 'and' | 'or'; left: Sql92Node; right: Sql92Node }
  | { kind: 'not'; operand: Sql92Node }
  /** A bare property used as a condition: true only for a boolean value, which properties never are. */
  | { kind: 'booleanCast'; operand: Sql92Node }
  | { kind: 'negate'; operand: Sql92Node }
  | { kind: 'equal'; left: Sql92Node; right: Sql92Node }
  | { kind: 'compare'; operator: ComparisonOperator; left: Sql92Node; right: Sql92Node }
  | { kind: 'in'; property: string; values: ReadonlySet<string>; not: boolean }
  | { kind: 'string'; operator: StringOperator; operand: Sql92Node; search: string; not: boolean };

function isBooleanExpression(node: Sql92Node): boolean {
  if (node.kind === 'constant') return node.value === null || typeof node.value === 'boolean';
  return node.kind !== 'property' && node.kind !== 'negate';
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `the string '${token.text.replace(/'/g, "''")}'`;
    case 'identifier':
      return `the property ${token.text}`;
    default:
      return `"${token.text}"`;
  }
}

const VALUE_EXPECTED = "a value (a 'string', a number, TRUE, FALSE, NULL, a property name or '(')";

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Sql92Node {
    const node = this.asBoolean(this.or(), this.tokens[0]!);
    const next = this.peek();
    if (next.kind !== 'end') this.fail(next, 'AND, OR, a comparison operator or the end of the expression');
    return node;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isKeyword(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'keyword' && token.text === text;
  }

  private isSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === text;
  }

  private fail(token: Token, expected: string): never {
    throw new Sql92SyntaxError(`found ${describe(token)} at column ${token.column}, expected ${expected}`, token.column);
  }

  private expectSymbol(text: string): void {
    if (!this.isSymbol(text)) this.fail(this.peek(), `"${text}"`);
    this.next();
  }

  private expectKeyword(text: string): void {
    if (!this.isKeyword(text)) this.fail(this.peek(), text);
    this.next();
  }

  private asBoolean(node: Sql92Node, at: Token): Sql92Node {
    if (isBooleanExpression(node)) return node;
    if (node.kind === 'property') return { kind: 'booleanCast', operand: node };
    throw new Sql92SyntaxError(`the expression at column ${at.column} does not result in a boolean value`, at.column);
  }

  private or(): Sql92Node {
    const start = this.peek();
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.next();
      const rightStart = this.peek();
      const right = this.and();
      left = { kind: 'or', left: this.asBoolean(left, start), right: this.asBoolean(right, rightStart) };
    }
    return left;
  }

  private and(): Sql92Node {
    const start = this.peek();
    let left = this.equality();
    while (this.isKeyword('AND')) {
      this.next();
      const rightStart = this.peek();
      const right = this.equality();
      left = { kind: 'and', left: this.asBoolean(left, start), right: this.asBoolean(right, rightStart) };
    }
    return left;
  }

  private equality(): Sql92Node {
    let left = this.comparison();
    while (true) {
      const token = this.peek();
      if (this.isSymbol('=') || this.isSymbol('<>')) {
        this.next();
        const right = this.comparison();
        checkEqualOperands(left, right, token);
        const equal: Sql92Node = { kind: 'equal', left, right };
        left = token.text === '=' ? equal : { kind: 'not', operand: equal };
      } else if (this.isKeyword('IS')) {
        this.next();
        const not = this.isKeyword('NOT');
        if (not) this.next();
        this.expectKeyword('NULL');
        const isNull: Sql92Node = { kind: 'equal', left, right: { kind: 'constant', value: null } };
        left = not ? { kind: 'not', operand: isNull } : isNull;
      } else return left;
    }
  }

  private comparison(): Sql92Node {
    let left = this.unary();
    while (true) {
      const token = this.peek();
      if (token.kind === 'symbol' && (token.text === '>' || token.text === '>=' || token.text === '<' || token.text === '<=')) {
        this.next();
        const right = this.unary();
        checkOrderedOperand(left, token);
        checkOrderedOperand(right, token);
        left = { kind: 'compare', operator: token.text, left, right };
        continue;
      }
      const not = this.isKeyword('NOT') && this.peek(1).kind === 'keyword' && ['CONTAINS', 'STARTSWITH', 'ENDSWITH', 'BETWEEN', 'IN'].includes(this.peek(1).text);
      if (not) this.next();
      const operator = this.peek();
      if (operator.kind !== 'keyword') return left;
      if (operator.text === 'CONTAINS' || operator.text === 'STARTSWITH' || operator.text === 'ENDSWITH') {
        this.next();
        left = { kind: 'string', operator: operator.text, operand: left, search: this.stringLiteral(), not };
      } else if (operator.text === 'BETWEEN') {
        this.next();
        left = this.between(left, not, operator);
      } else if (operator.text === 'IN') {
        this.next();
        left = this.in(left, not, operator);
      } else return left;
    }
  }

  private between(value: Sql92Node, not: boolean, at: Token): Sql92Node {
    const low = this.unary();
    this.expectKeyword('AND');
    const high = this.unary();
    for (const operand of [value, low, high]) checkOrderedOperand(operand, at);
    if (!not && low.kind === 'constant' && high.kind === 'constant' && compareConstants(high.value, low.value) < 0) {
      throw new Sql92SyntaxError(`BETWEEN at column ${at.column} needs its low value (${String(low.value)}) to be at most its high value (${String(high.value)})`, at.column);
    }
    if (not) {
      return {
        kind: 'or',
        left: { kind: 'compare', operator: '<', left: value, right: low },
        right: { kind: 'compare', operator: '>', left: value, right: high },
      };
    }
    return {
      kind: 'and',
      left: { kind: 'compare', operator: '>=', left: value, right: low },
      right: { kind: 'compare', operator: '<=', left: value, right: high },
    };
  }

  private in(value: Sql92Node, not: boolean, at: Token): Sql92Node {
    if (value.kind !== 'property') throw new Sql92SyntaxError(`IN at column ${at.column} needs a property name on its left`, at.column);
    this.expectSymbol('(');
    const values = new Set<string>([this.stringLiteral()]);
    while (this.isSymbol(',')) {
      this.next();
      values.add(this.stringLiteral());
    }
    this.expectSymbol(')');
    return { kind: 'in', property: value.name, values, not };
  }

  private stringLiteral(): string {
    const token = this.peek();
    if (token.kind !== 'string') this.fail(token, "a 'string' literal");
    this.next();
    return token.text;
  }

  private unary(): Sql92Node {
    const token = this.peek();
    if (this.isSymbol('+')) {
      this.next();
      return this.unary();
    }
    if (this.isSymbol('-')) {
      this.next();
      const operand = this.unary();
      return operand.kind === 'constant' && (typeof operand.value === 'bigint' || typeof operand.value === 'number')
        ? { kind: 'constant', value: -operand.value }
        : { kind: 'negate', operand };
    }
    if (this.isKeyword('NOT')) {
      this.next();
      const operandStart = this.peek();
      return { kind: 'not', operand: this.asBoolean(this.unary(), operandStart) };
    }
    return this.primary(token);
  }

  private primary(token: Token): Sql92Node {
    switch (token.kind) {
      case 'string':
        this.next();
        return { kind: 'constant', value: token.text };
      case 'integer':
        this.next();
        return { kind: 'constant', value: integerValue(token.text) };
      case 'decimal':
        this.next();
        return { kind: 'constant', value: Number(token.text) };
      case 'identifier':
        this.next();
        return { kind: 'property', name: token.text };
      case 'keyword':
        if (token.text === 'TRUE' || token.text === 'FALSE' || token.text === 'NULL') {
          this.next();
          return { kind: 'constant', value: token.text === 'NULL' ? null : token.text === 'TRUE' };
        }
        return this.fail(token, VALUE_EXPECTED);
      case 'symbol':
        if (token.text === '(') {
          this.next();
          const inner = this.or();
          this.expectSymbol(')');
          return inner;
        }
        return this.fail(token, VALUE_EXPECTED);
      default:
        return this.fail(token, VALUE_EXPECTED);
    }
  }
}

const LONG_MAX = 9223372036854775807n;

/** A long literal; one beyond the long range becomes a double, as Java's BigDecimal fallback would compare. */
function integerValue(text: string): bigint | number {
  const digits = text.endsWith('l') || text.endsWith('L') ? text.slice(0, -1) : text;
  const value = BigInt(digits);
  return value > LONG_MAX ? Number(value) : value;
}

function checkOrderedOperand(node: Sql92Node, at: Token): void {
  if (node.kind === 'constant') {
    if (typeof node.value === 'bigint' || typeof node.value === 'number') return;
    throw new Sql92SyntaxError(`the value ${literalText(node.value)} cannot be compared with "${at.text}" at column ${at.column}: only numbers can`, at.column);
  }
  if (isBooleanExpression(node)) {
    throw new Sql92SyntaxError(`a condition cannot be compared with "${at.text}" at column ${at.column}: only numbers can`, at.column);
  }
}

function checkEqualOperands(left: Sql92Node, right: Sql92Node, at: Token): void {
  for (const operand of [left, right]) {
    if (operand.kind === 'constant' && operand.value === null) {
      throw new Sql92SyntaxError(`NULL cannot be compared with "${at.text}" at column ${at.column}; use IS NULL or IS NOT NULL`, at.column);
    }
  }
  if (left.kind === 'constant' && right.kind === 'constant' && typeof left.value === 'boolean' && typeof right.value !== 'boolean') {
    throw new Sql92SyntaxError(`${literalText(left.value)} cannot be compared with ${literalText(right.value)} at column ${at.column}`, at.column);
  }
}

function literalText(value: Sql92Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return String(value);
}

function compareConstants(left: Sql92Value, right: Sql92Value): number {
  if (typeof left === 'bigint' && typeof right === 'bigint') return left < right ? -1 : left > right ? 1 : 0;
  if ((typeof left === 'bigint' || typeof left === 'number') && (typeof right === 'bigint' || typeof right === 'number')) {
    const l = Number(left);
    const r = Number(right);
    return l < r ? -1 : l > r ? 1 : 0;
  }
  return 0;
}

/** Parses an expression into a tree; throws Sql92SyntaxError naming the column and what was expected. */
export function parseSql92(source: string): Sql92Node {
  if (source.trim().length === 0) throw new Sql92SyntaxError('the expression is empty', 1);
  return new Parser(tokenize(source)).parse();
}

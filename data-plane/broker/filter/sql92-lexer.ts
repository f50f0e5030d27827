/**
 * Tokens of RocketMQ's SQL92 property filter (the grammar of its
 * SelectorParser): keywords are case-insensitive, strings are single-quoted
 * with `''` for a quote, integers are longs (an `L` suffix is allowed),
 * decimals are doubles, identifiers name message properties. `--` line
 * comments and `/* *\/` block comments are skipped like whitespace.
 */

export type TokenKind =
  | 'keyword'
  | 'identifier'
  | 'string'
  | 'integer'
  | 'decimal'
  | 'symbol'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** Keywords upper-cased; strings unescaped; numbers and symbols as written. */
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

export const sql92Keywords: ReadonlySet<string> = new Set([
  'NOT', 'AND', 'OR', 'BETWEEN', 'IN', 'TRUE', 'FALSE', 'NULL', 'IS', 'CONTAINS', 'STARTSWITH', 'ENDSWITH',
]);

export class Sql92SyntaxError extends Error {
  readonly column: number;
  constructor(message: string, column: number) {
    super(message);
    this.name = 'Sql92SyntaxError';
    this.column = column;
  }
}

const SYMBOLS = ['<>', '>=', '<=', '=', '>', '<', '(', ')', ',', '+', '-'] as const;

function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWhitespace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

/** Splits an expression into tokens, ending with an `end` token; throws Sql92SyntaxError. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
    } else if (source.startsWith('--', i)) {
      const end = source.slice(i).search(/[\r\n]/);
      // JavaCC's rule needs the line break; a comment running to the end is an error there too.
      if (end < 0) throw new Sql92SyntaxError(`unterminated line comment at column ${i + 1}`, i + 1);
      i += end + 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new Sql92SyntaxError(`unterminated block comment at column ${i + 1}`, i + 1);
      i = end + 2;
    } else if (c === 39) {
      i = readString(source, i, tokens);
    } else if (isDigit(c) || (c === 46 && isDigit(source.charCodeAt(i + 1)))) {
      i = readNumber(source, i, tokens);
    } else if (isIdentifierStart(c)) {
      let end = i + 1;
      while (end < source.length && isIdentifierPart(source.charCodeAt(end))) end++;
      const word = source.slice(i, end);
      const upper = word.toUpperCase();
      if (sql92Keywords.has(upper)) tokens.push({ kind: 'keyword', text: upper, column: i + 1 });
      else tokens.push({ kind: 'identifier', text: word, column: i + 1 });
      i = end;
    } else {
      const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, i));
      if (!symbol) throw new Sql92SyntaxError(`unexpected character ${JSON.stringify(source[i])} at column ${i + 1}`, i + 1);
      tokens.push({ kind: 'symbol', text: symbol, column: i + 1 });
      i += symbol.length;
    }
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}

function readString(source: string, start: number, tokens: Token[]): number {
  let text = '';
  let i = start + 1;
  while (true) {
    const quote = source.indexOf("'", i);
    if (quote < 0) throw new Sql92SyntaxError(`unterminated string literal starting at column ${start + 1}`, start + 1);
    text += source.slice(i, quote);
    if (source.charCodeAt(quote + 1) === 39) {
      text += "'";
      i = quote + 2;
      continue;
    }
    tokens.push({ kind: 'string', text, column: start + 1 });
    return quote + 1;
  }
}

const DECIMAL = /^(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+)/;
const INTEGER = /^(?:0|[1-9]\d*)[lL]?/;

function readNumber(source: string, start: number, tokens: Token[]): number {
  const rest = source.slice(start, start + 400);
  // The longest match wins, as in JavaCC: `5.5` is one decimal, not `5` and `.5`.
  const decimal = DECIMAL.exec(rest)?.[0] ?? '';
  const integer = INTEGER.exec(rest)?.[0] ?? '';
  if (decimal.length > integer.length) {
    tokens.push({ kind: 'decimal', text: decimal, column: start + 1 });
    return start + decimal.length;
  }
  tokens.push({ kind: 'integer', text: integer, column: start + 1 });
  return start + integer.length;
}

/**
 * JSON as RocketMQ's Java side writes and reads it (fastjson 1.2.x).
 *
 * Reading is lenient the way fastjson is: unquoted keys (`{0:"addr"}`),
 * single-quoted strings, objects as map keys (`{{"topic":…}:5}`), trailing
 * commas and number suffixes such as `1L`. Integers beyond 2^53 come back as
 * bigint so offsets never lose digits. Any input, however broken, either
 * parses or raises a FastjsonSyntaxError with the offset at fault; nesting is
 * bounded so hostile input cannot exhaust the stack.
 *
 * Writing has two forms. The default form is fastjson's: bean keys sorted,
 * null members left out, numeric map keys unquoted, object map keys written
 * as objects. The standard form is what the name server sends route data in
 * for newer clients: numeric keys quoted, map keys sorted, non-ASCII and `/`
 * escaped, integers beyond 2^53 written as strings.
 */

/** Deepest nesting accepted. RocketMQ bodies nest about six levels. */
export const jsonDepthMax = 64;

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject | ObjectKeyedMap;

/** A parsed object. It has no prototype, so keys such as `__proto__` are plain data. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * A map whose keys are objects, as fastjson writes `Map<MessageQueue, …>`.
 * Entries keep their order.
 */
export class ObjectKeyedMap {
  constructor(readonly entries: Array<[key: JsonValue, value: JsonValue]>) {}
}

/** A Java `double`: written with a fraction even when whole (`0.0`), as fastjson does. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

export class FastjsonSyntaxError extends Error {
  readonly code = 'JSON_SYNTAX';
  readonly retriable = false;
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'FastjsonSyntaxError';
  }
}

const textDecoder = new TextDecoder();

/**
 * Parses fastjson text (or its UTF-8 bytes).
 *
 * @example parseFastjson('{"brokerAddrs":{0:"10.0.0.1:10911"}}') // { brokerAddrs: { '0': '10.0.0.1:10911' } }
 */
export function parseFastjson(input: string | Uint8Array): JsonValue {
  const text = typeof input === 'string' ? input : textDecoder.decode(input);
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.at < text.length) parser.fail('unexpected text after the value');
  return value;
}

const enum Char {
  Tab = 9, Newline = 10, Return = 13, Space = 32, Quote = 34, Dollar = 36, Apostrophe = 39,
  Plus = 43, Comma = 44, Minus = 45, Dot = 46, Slash = 47, Zero = 48, Nine = 57, Colon = 58,
  UpperE = 69, OpenBracket = 91, Backslash = 92, CloseBracket = 93, LowerE = 101,
  OpenBrace = 123, CloseBrace = 125,
}

class Parser {
  at = 0;
  constructor(readonly text: string) {}

  fail(message: string): never {
    throw new FastjsonSyntaxError(message, this.at);
  }

  skipWhitespace(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c !== Char.Space && c !== Char.Newline && c !== Char.Return && c !== Char.Tab && c !== 12 && c !== 8) return;
      this.at++;
    }
  }

  parseValue(depth: number): JsonValue {
    if (this.at >= this.text.length) this.fail('unexpected end of input');
    const c = this.text.charCodeAt(this.at);
    switch (c) {
      case Char.OpenBrace:
        return this.parseObject(depth + 1);
      case Char.OpenBracket:
        return this.parseArray(depth + 1);
      case Char.Quote:
      case Char.Apostrophe:
        return this.parseString(c);
      default:
        if (c === Char.Minus || (c >= Char.Zero && c <= Char.Nine)) return this.parseNumber();
        return this.parseLiteral();
    }
  }

  private checkDepth(depth: number): void {
    if (depth > jsonDepthMax) this.fail(`nesting deeper than jsonDepthMax ${jsonDepthMax}`);
  }

  private parseArray(depth: number): JsonValue[] {
    this.checkDepth(depth);
    this.at++;
    const items: JsonValue[] = [];
    for (;;) {
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at);
      if (c === Char.CloseBracket) {
        this.at++;
        return items;
      }
      items.push(this.parseValue(depth));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.at);
      if (next === Char.Comma) this.at++;
      else if (next !== Char.CloseBracket) this.fail('expected , or ] in array');
    }
  }

  private parseObject(depth: number): JsonObject | ObjectKeyedMap {
    this.checkDepth(depth);
    this.at++;
    const object: JsonObject = Object.create(null) as JsonObject;
    let objectKeyed: Array<[JsonValue, JsonValue]> | undefined;
    for (;;) {
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at);
      if (c === Char.CloseBrace) {
        this.at++;
        return objectKeyed === undefined ? object : new ObjectKeyedMap(objectKeyed);
      }
      const key = this.parseKey(depth);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== Char.Colon) this.fail('expected : after an object key');
      this.at++;
      this.skipWhitespace();
      const value = this.parseValue(depth);
      if (typeof key === 'string' && objectKeyed === undefined) {
        object[key] = value;
      } else {
        // The first object key turns the map into an entry list; keys seen so far move along.
        if (objectKeyed === undefined) objectKeyed = Object.keys(object).map((name) => [name, object[name]!]);
        objectKeyed.push([key, value]);
      }
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.at);
      if (next === Char.Comma) this.at++;
      else if (next !== Char.CloseBrace) this.fail('expected , or } in object');
    }
  }

  /** A key: a string, an object or array (object-keyed maps), or an unquoted run such as `0` or `name`. */
  private parseKey(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.at);
    if (c === Char.Quote || c === Char.Apostrophe) return this.parseString(c);
    if (c === Char.OpenBrace || c === Char.OpenBracket) return this.parseValue(depth);
    const start = this.at;
    const text = this.text;
    while (this.at < text.length) {
      const k = text.charCodeAt(this.at);
      if (k === Char.Colon || k <= Char.Space || k === Char.Comma || k === Char.OpenBrace || k === Char.CloseBrace ||
        k === Char.OpenBracket || k === Char.CloseBracket || k === Char.Quote || k === Char.Apostrophe) break;
      this.at++;
    }
    if (this.at === start) this.fail('expected an object key');
    return text.slice(start, this.at);
  }

  private parseString(quote: number): string {
    const text = this.text;
    this.at++;
    let result = '';
    let chunkStart = this.at;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c === quote) {
        result += text.slice(chunkStart, this.at);
        this.at++;
        return result;
      }
      if (c === Char.Backslash) {
        result += text.slice(chunkStart, this.at);
        result += this.parseEscape();
        chunkStart = this.at;
        continue;
      }
      this.at++;
    }
    return this.fail('unterminated string');
  }

  private parseEscape(): string {
    const text = this.text;
    const c = text[this.at + 1];
    this.at += 2;
    switch (c) {
      case '"': return '"';
      case "'": return "'";
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': {
        const hex = text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        this.at += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      case 'x': {
        const hex = text.slice(this.at, this.at + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.fail('bad \\x escape');
        this.at += 2;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        this.at -= 2;
        return this.fail('bad escape');
    }
  }

  private parseNumber(): number | bigint {
    const text = this.text;
    const start = this.at;
    if (text.charCodeAt(this.at) === Char.Minus) this.at++;
    const digitsStart = this.at;
    this.skipDigits();
    if (this.at === digitsStart) this.fail('expected a digit');
    let integer = true;
    if (text.charCodeAt(this.at) === Char.Dot) {
      integer = false;
      this.at++;
      this.skipDigits();
    }
    const e = text.charCodeAt(this.at);
    if (e === Char.LowerE || e === Char.UpperE) {
      integer = false;
      this.at++;
      const sign = text.charCodeAt(this.at);
      if (sign === Char.Plus || sign === Char.Minus) this.at++;
      const exponentStart = this.at;
      this.skipDigits();
      if (this.at === exponentStart) this.fail('expected exponent digits');
    }
    const literal = text.slice(start, this.at);
    // fastjson accepts Java type suffixes: 1L, 2S, 3B, 1.5F, 1.5D.
    const suffix = text[this.at];
    if (suffix === 'L' || suffix === 'S' || suffix === 'B' || suffix === 'F' || suffix === 'D') this.at++;
    if (!integer) return Number(literal);
    const value = Number(literal);
    return Number.isSafeInteger(value) ? value : BigInt(literal);
  }

  private skipDigits(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text.charCodeAt(this.at);
      if (c < Char.Zero || c > Char.Nine) return;
      this.at++;
    }
  }

  private parseLiteral(): JsonValue {
    const text = this.text;
    if (text.startsWith('true', this.at)) {
      this.at += 4;
      return true;
    }
    if (text.startsWith('false', this.at)) {
      this.at += 5;
      return false;
    }
    if (text.startsWith('null', this.at)) {
      this.at += 4;
      return null;
    }
    return this.fail(`unexpected character ${JSON.stringify(text[this.at])}`);
  }
}

/** What the encoder takes: JSON values plus Maps (Java maps), byte arrays and doubles. */
export type Encodable =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | JavaDouble
  | ObjectKeyedMap
  | readonly Encodable[]
  | ReadonlyMap<string | number | bigint | object, Encodable>
  | { readonly [key: string]: Encodable };

export interface EncodeOptions {
  /** The name server's standard form (BrowserCompatible + MapSortField) instead of fastjson's default. */
  readonly standard?: boolean;
}

/**
 * Writes a value the way fastjson does. Plain objects are beans: their keys
 * are sorted and undefined or null members left out. A Map is a Java map: its
 * entries keep their order (sorted in the standard form) and number keys are
 * written unquoted (quoted in the standard form).
 *
 * @example encodeFastjson({ brokerAddrs: new Map([[0, 'a:1']]), brokerName: 'b' }) // '{"brokerAddrs":{0:"a:1"},"brokerName":"b"}'
 */
export function encodeFastjson(value: Encodable, options: EncodeOptions = {}): string {
  return write(value, options.standard === true, 0);
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

function write(value: Encodable, standard: boolean, depth: number): string {
  if (depth > jsonDepthMax) throw new RangeError(`encodeFastjson: nesting deeper than jsonDepthMax ${jsonDepthMax}`);
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return writeNumber(value, standard);
    case 'bigint':
      return standard && (value > maxSafe || value < -maxSafe) ? `"${value}"` : value.toString();
    case 'string':
      return writeString(value, standard);
  }
  if (value instanceof Uint8Array) return `"${base64(value)}"`;
  if (value instanceof JavaDouble) {
    if (!Number.isFinite(value.value)) return 'null';
    const text = String(value.value);
    return Number.isInteger(value.value) && !text.includes('e') ? `${text}.0` : text;
  }
  if (Array.isArray(value)) return `[${value.map((item: Encodable) => write(item, standard, depth + 1)).join(',')}]`;
  if (value instanceof ObjectKeyedMap) return writeEntries(value.entries as Array<[unknown, Encodable]>, standard, depth);
  if (value instanceof Map) return writeEntries([...(value as Map<unknown, Encodable>).entries()], standard, depth);
  return writeBean(value as { readonly [key: string]: Encodable }, standard, depth);
}

function writeNumber(value: number, standard: boolean): string {
  if (!Number.isFinite(value)) return 'null';
  if (Object.is(value, -0)) return '0';
  if (standard && Number.isInteger(value) && !Number.isSafeInteger(value)) return `"${value}"`;
  return String(value);
}

function writeBean(bean: { readonly [key: string]: Encodable }, standard: boolean, depth: number): string {
  const keys = Object.keys(bean).sort();
  let out = '{';
  for (const key of keys) {
    const member = bean[key];
    if (member === undefined || member === null) continue;
    if (out.length > 1) out += ',';
    out += writeString(key, standard) + ':' + write(member, standard, depth + 1);
  }
  return out + '}';
}

function writeEntries(entries: Array<[unknown, Encodable]>, standard: boolean, depth: number): string {
  const written = entries.map(([key, member]) => [writeKey(key, standard, depth), write(member, standard, depth + 1)] as const);
  if (standard) written.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${written.map(([key, member]) => `${key}:${member}`).join(',')}}`;
}

function writeKey(key: unknown, standard: boolean, depth: number): string {
  if (typeof key === 'string') return writeString(key, standard);
  if (typeof key === 'number' || typeof key === 'bigint') return standard ? `"${String(key)}"` : String(key);
  return write(key as Encodable, standard, depth + 1);
}

function writeString(text: string, standard: boolean): string {
  const json = JSON.stringify(text);
  if (!standard) return json;
  // BrowserCompatible: everything outside ASCII as \uXXXX, and `/` escaped.
  return json.replace(/[\u007f-\uffff/]/g, (c) => (c === '/' ? '\\/' : `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`));
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding, as Java's encoders write it. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += base64Alphabet[n >>> 18]! + base64Alphabet[(n >>> 12) & 63]! + base64Alphabet[(n >>> 6) & 63]! + base64Alphabet[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += base64Alphabet[n >>> 18]! + base64Alphabet[(n >>> 12) & 63]!;
    out += i + 1 < bytes.length ? base64Alphabet[(n >>> 6) & 63]! + '=' : '==';
  }
  return out;
}

/**
 * The JSON header (serialization type 0, wire §3): fastjson's rendering of the
 * RemotingCommand bean. Keys go out sorted as Java emits them; absent members
 * are left out; extFields values are strings. On input any JSON primitive is
 * accepted in extFields and turned into its text, as Java's parser does.
 */
import { SerializeType, type RemotingCommand } from './command.ts';
import { decodeUtf8 } from '../util/utf8.ts';
import { FrameError } from './errors.ts';

const textEncoder = new TextEncoder();

export function encodeJsonHeader(command: RemotingCommand): Uint8Array {
  const bytes = new Uint8Array(jsonHeaderBound(command));
  return bytes.subarray(0, encodeJsonHeaderInto(command, bytes, 0));
}

/** The JSON header as text: what `encodeJsonHeaderInto` writes, as a string (for logs, and as its reference). */
export function jsonHeaderText(command: RemotingCommand): string {
  let json = `{"code":${command.code | 0}`;
  const extFields = command.extFields;
  if (extFields !== undefined) {
    json += ',"extFields":{';
    let first = true;
    for (const key in extFields) {
      const value = extFields[key];
      if (value === undefined || value === null) continue;
      json += `${first ? '"' : ',"'}${escapeJson(key)}":"${escapeJson(typeof value === 'string' ? value : String(value))}"`;
      first = false;
    }
    json += '}';
  }
  json += `,"flag":${command.flag | 0},"language":"${escapeJson(command.language)}","opaque":${command.opaque | 0}`;
  if (command.remark !== undefined && command.remark !== null) json += `,"remark":"${escapeJson(command.remark)}"`;
  json += `,"serializeTypeCurrentRPC":"JSON","version":${command.version | 0}}`;
  return json;
}

/**
 * Upper bound of the bytes `encodeJsonHeaderInto` writes: a string unit takes
 * at most 6 bytes (`\u001f`), each extFields entry adds 6 of punctuation, and
 * the fixed members with their numbers take under 160 (192 leaves room).
 */
export function jsonHeaderBound(command: RemotingCommand): number {
  let bound = 192 + (command.language.length + (command.remark?.length ?? 0)) * 6;
  const extFields = command.extFields;
  if (extFields) {
    for (const key in extFields) {
      const value = extFields[key];
      if (value !== undefined && value !== null) bound += 6 + (key.length + (typeof value === 'string' ? value : String(value)).length) * 6;
    }
  }
  return bound;
}

/**
 * Writes the UTF-8 of `jsonHeaderText` at `offset` of `target`, which
 * must have `jsonHeaderBound(command)` bytes there, without building the text
 * first; returns the bytes written. The frames a broker answers Java clients
 * with are made here.
 */
export function encodeJsonHeaderInto(command: RemotingCommand, target: Uint8Array, offset: number): number {
  let at = writeAscii(target, offset, '{"code":');
  at = writeAscii(target, at, String(command.code | 0));
  const extFields = command.extFields;
  if (extFields !== undefined) {
    at = writeAscii(target, at, ',"extFields":{');
    let first = true;
    for (const key in extFields) {
      const value = extFields[key];
      if (value === undefined || value === null) continue;
      if (!first) target[at++] = 0x2c;
      first = false;
      at = writeJsonString(target, at, key);
      target[at++] = 0x3a;
      at = writeJsonString(target, at, typeof value === 'string' ? value : String(value));
    }
    target[at++] = 0x7d;
  }
  at = writeAscii(target, at, ',"flag":');
  at = writeAscii(target, at, String(command.flag | 0));
  at = writeAscii(target, at, ',"language":');
  at = writeJsonString(target, at, command.language);
  at = writeAscii(target, at, ',"opaque":');
  at = writeAscii(target, at, String(command.opaque | 0));
  if (command.remark !== undefined && command.remark !== null) {
    at = writeAscii(target, at, ',"remark":');
    at = writeJsonString(target, at, command.remark);
  }
  at = writeAscii(target, at, ',"serializeTypeCurrentRPC":"JSON","version":');
  at = writeAscii(target, at, String(command.version | 0));
  target[at++] = 0x7d;
  return at - offset;
}

/** Writes text known to be ASCII. */
function writeAscii(target: Uint8Array, at: number, text: string): number {
  for (let index = 0; index < text.length; index++) target[at++] = text.charCodeAt(index);
  return at;
}

/**
 * Writes `text` as a quoted JSON string: printable ASCII byte by byte (header
 * text nearly always is), and from the first other unit on, the rest as
 * `escapeJson` renders it, in UTF-8.
 */
function writeJsonString(target: Uint8Array, at: number, text: string): number {
  target[at++] = 0x22;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20 || unit >= 0x7f || unit === 0x22 || unit === 0x5c) {
      at += textEncoder.encodeInto(escapeJson(text.slice(index)), target.subarray(at)).written;
      break;
    }
    target[at++] = unit;
  }
  target[at++] = 0x22;
  return at;
}

/** Characters a JSON string literal cannot hold as they are: controls, quote, backslash, lone surrogate halves. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be found
const needsEscape = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * The inside of a JSON string literal. Most header text needs no escaping, so
 * test first (one native regex scan) and only hand the rest to JSON.stringify.
 */
function escapeJson(text: string): string {
  if (!needsEscape.test(text)) return text;
  const quoted = JSON.stringify(text);
  return quoted.slice(1, quoted.length - 1);
}

/** Decodes a JSON header. Throws only FrameError; the caller closes the connection. */
export function decodeJsonHeader(bytes: Uint8Array): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeUtf8(bytes));
  } catch (error) {
    throw new FrameError('HEADER_JSON_INVALID', `header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrameError('HEADER_JSON_INVALID', 'header is not a JSON object');
  }
  const header = parsed as Record<string, unknown>;
  const command: RemotingCommand = {
    code: integerMember(header, 'code'),
    language: typeof header.language === 'string' ? header.language : 'OTHER',
    version: integerMember(header, 'version'),
    opaque: integerMember(header, 'opaque'),
    flag: integerMember(header, 'flag'),
    serializeType: SerializeType.JSON,
  };
  if (typeof header.remark === 'string') command.remark = header.remark;
  const extFields = header.extFields;
  if (extFields !== undefined && extFields !== null) {
    if (typeof extFields !== 'object' || Array.isArray(extFields)) {
      throw new FrameError('HEADER_JSON_INVALID', 'extFields is not a JSON object');
    }
    command.extFields = stringifyValues(extFields as Record<string, unknown>);
  }
  return command;
}

/** Missing numeric members default to 0, as in Java; numeric strings are accepted as fastjson does. */
function integerMember(header: Record<string, unknown>, name: string): number {
  const value = header[name];
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number > 0xffffffff || number < -0x80000000) {
    throw new FrameError('HEADER_JSON_INVALID', `header member ${name} is not a 32-bit integer`);
  }
  return number | 0;
}

/** Turns the parsed map into text values in place; Java peers send strings already, so usually nothing changes. */
function stringifyValues(fields: Record<string, unknown>): Record<string, string> {
  for (const key in fields) {
    const value = fields[key];
    if (typeof value === 'string') continue;
    if (value === null || value === undefined) {
      delete fields[key];
      continue;
    }
    if (typeof value === 'object') {
      throw new FrameError('HEADER_JSON_INVALID', `extFields.${key.slice(0, 64)} is not a primitive`);
    }
    fields[key] = String(value);
  }
  return fields as Record<string, string>;
}

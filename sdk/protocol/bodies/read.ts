/**
 * Lenient field readers for JSON bodies, with fastjson's tolerance: a number
 * where a string is expected (and the reverse), missing members as defaults,
 * unknown members ignored. A body that is not JSON at all, or has the wrong
 * shape where a structure is needed, raises a BodyDecodeError.
 */
import { FastjsonSyntaxError, ObjectKeyedMap, parseFastjson, type JsonObject, type JsonValue } from '../fastjson.ts';

export class BodyDecodeError extends Error {
  readonly code = 'BODY_INVALID';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BodyDecodeError';
  }
}

/** Parses a body as a JSON object, naming the body in the error. */
export function parseBodyObject(body: Uint8Array | string, what: string): JsonObject {
  let value: JsonValue;
  try {
    value = parseFastjson(body);
  } catch (error) {
    if (error instanceof FastjsonSyntaxError) throw new BodyDecodeError(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
  return asObject(value, what);
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ObjectKeyedMap);
}

export function asObject(value: JsonValue | undefined, what: string): JsonObject {
  if (!isObject(value)) throw new BodyDecodeError(`${what}: expected an object`);
  return value;
}

export function readString(object: JsonObject, key: string): string | undefined {
  const value = object[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function readNumber(object: JsonObject, key: string, fallback = 0): number {
  const value = object[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return fallback;
}

export function readBoolean(object: JsonObject, key: string, fallback = false): boolean {
  const value = object[key];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  if (typeof value === 'number') return value !== 0;
  return fallback;
}

export function readArray(object: JsonObject, key: string): JsonValue[] {
  const value = object[key];
  return Array.isArray(value) ? value : [];
}

export function readStrings(object: JsonObject, key: string): string[] {
  return readArray(object, key).filter((item): item is string => typeof item === 'string');
}

/** A JSON object's members as [key, value] pairs; absent or non-object members give none. */
export function readEntries(object: JsonObject, key: string): Array<[string, JsonValue]> {
  const value = object[key];
  return isObject(value) ? Object.entries(value) : [];
}

/** Entries of a map fastjson wrote with object keys (or an empty or string-keyed map). */
export function readObjectKeyedEntries(object: JsonObject, key: string): Array<[JsonValue, JsonValue]> {
  const value = object[key];
  if (value instanceof ObjectKeyedMap) return value.entries;
  if (isObject(value)) return Object.entries(value);
  return [];
}

/**
 * Readers of single `extFields` values for the fast header decoders (send,
 * pull): each accepts exactly what `decodeHeader` accepts for that field type
 * and gives the same value, and says when only the generic decoder may judge
 * (GENERIC, or undefined for a required field), so a fast decoder can fall
 * back to it and fail with its words.
 */
import { decodeHeader, parseInteger, type HeaderDecodeResult, type HeaderOf, type HeaderSchema } from '../fields.ts';

/** What the optional readers return for a value only the generic decoder may judge. */
export const GENERIC = Symbol('generic');

/** An optional string field: its text, undefined when absent, GENERIC when it is not text. */
export function optionalText(value: unknown): string | undefined | typeof GENERIC {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : GENERIC;
}

/** An optional int field: not a number leaves it out and out of range fails, as in the generic decoder (GENERIC here). */
export function optionalIntText(value: unknown): number | undefined | typeof GENERIC {
  const text = optionalText(value);
  if (typeof text !== 'string') return text;
  const parsed = parseInteger(text);
  if (parsed === undefined) return undefined;
  return parsed <= 2147483647 && parsed >= -2147483648 ? parsed : GENERIC;
}

/** An optional boolean field: Java's Boolean.parseBoolean of its text. */
export function optionalBooleanText(value: unknown): boolean | undefined | typeof GENERIC {
  const text = optionalText(value);
  if (typeof text !== 'string') return text;
  return text.length === 4 && text.toLowerCase() === 'true';
}

/** A required int field's value, or undefined when it is missing, not text, not a number or out of range. */
export function intText(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const value = parseInteger(text);
  return value !== undefined && value <= 2147483647 && value >= -2147483648 ? value : undefined;
}

/** A required long field's value, or undefined when it is missing, not text, not a number or not a safe integer. */
export function longText(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const value = parseInteger(text);
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

/** An optional long field: not a number leaves it out and an unsafe integer fails, as in the generic decoder (GENERIC here). */
export function optionalLongText(value: unknown): number | undefined | typeof GENERIC {
  const text = optionalText(value);
  if (typeof text !== 'string') return text;
  const parsed = parseInteger(text);
  if (parsed === undefined) return undefined;
  return Number.isSafeInteger(parsed) ? parsed : GENERIC;
}

/**
 * Decodes `extFields` with `fast` (a reader by key name that returns undefined
 * whenever only the generic decoder may judge), else with `decodeHeader`, so
 * both paths give the same header or the same failure.
 */
export function decodeByName<S extends HeaderSchema>(
  schema: S,
  extFields: Readonly<Record<string, string>> | undefined,
  fast: (ext: Readonly<Record<string, unknown>>) => HeaderOf<S> | undefined,
): HeaderDecodeResult<S> {
  const header = extFields === undefined ? undefined : fast(extFields);
  return header !== undefined ? { ok: true, header } : decodeHeader(schema, extFields);
}

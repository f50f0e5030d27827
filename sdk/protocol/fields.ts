/**
 * Header schemas as data. RocketMQ flattens every request and response header
 * class into the command's `extFields` map, each value as text (wire §6). A
 * schema lists the fields of one such class: its Java field name, its type and
 * whether the Java side marks it `@CFNotNull`. The TypeScript type of a header
 * is derived from its schema, and the same table drives encoding, decoding and
 * validation on the broker, the NameServer endpoint and the SDK alike.
 */

/** `int` and `long` are both carried as JS numbers: offsets stay below 2^53. */
export type FieldType = 'string' | 'int' | 'long' | 'boolean';

export interface FieldSpec {
  readonly type: FieldType;
  readonly required: boolean;
  /**
   * Set for Java primitive fields (`int`, `long`, `boolean`) that are not
   * `@CFNotNull`: Java always sends them, with this value when unset, and a
   * missing one decodes to it (wire §6).
   */
  readonly primitiveDefault?: string | number | boolean;
}

export type HeaderSchema = Readonly<Record<string, FieldSpec>>;

/** Shorthands that keep schema tables one line per field. */
export const string = { type: 'string', required: true } as const;
export const int = { type: 'int', required: true } as const;
export const long = { type: 'long', required: true } as const;
export const boolean = { type: 'boolean', required: true } as const;
export const optionalString = { type: 'string', required: false } as const;
export const optionalInt = { type: 'int', required: false } as const;
export const optionalLong = { type: 'long', required: false } as const;
export const optionalBoolean = { type: 'boolean', required: false } as const;
/** A Java primitive `boolean` that is always sent: `false` unless set. */
export const primitiveBoolean = { type: 'boolean', required: false, primitiveDefault: false } as const;
/** A Java primitive `boolean` whose field initializer is `true`. */
export const primitiveBooleanTrue = { type: 'boolean', required: false, primitiveDefault: true } as const;

type ValueOf<F extends FieldType> = F extends 'string' ? string : F extends 'boolean' ? boolean : number;
type RequiredKeys<S extends HeaderSchema> = { [K in keyof S]: S[K]['required'] extends true ? K : never }[keyof S];
type OptionalKeys<S extends HeaderSchema> = Exclude<keyof S, RequiredKeys<S>>;

/** The decoded header of a schema: required fields present, optional ones maybe. */
export type HeaderOf<S extends HeaderSchema> = { -readonly [K in RequiredKeys<S>]: ValueOf<S[K]['type']> } & {
  -readonly [K in OptionalKeys<S>]?: ValueOf<S[K]['type']>;
};

export type HeaderDecodeResult<S extends HeaderSchema> =
  | { ok: true; header: HeaderOf<S> }
  | { ok: false; field: string; reason: string };

const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * Decodes and validates `extFields` against a schema. Unknown keys are kept
 * out of the result but do not fail it (Java ignores them too). The first field
 * at fault is named in the failure, with the reason.
 */
export function decodeHeader<S extends HeaderSchema>(
  schema: S,
  extFields: Readonly<Record<string, string>> | undefined,
): HeaderDecodeResult<S> {
  const fields = fieldsOf(schema);
  const header: Record<string, string | number | boolean> = {};
  for (let index = 0; index < fields.length; index++) {
    const { name, spec } = fields[index]!;
    const text = extFields?.[name];
    if (text === undefined || text === null) {
      if (spec.required) return { ok: false, field: name, reason: `the custom field ${name} is null` };
      if (spec.primitiveDefault !== undefined) header[name] = spec.primitiveDefault;
      continue;
    }
    switch (spec.type) {
      case 'string':
        header[name] = text;
        break;
      case 'boolean':
        // Java's Boolean.parseBoolean: only a case-insensitive "true" is true.
        header[name] = text.length === 4 && text.toLowerCase() === 'true';
        break;
      case 'int':
      case 'long': {
        const value = parseInteger(text);
        if (value === undefined) {
          if (spec.required) return { ok: false, field: name, reason: `the custom field ${name} is not a number: ${JSON.stringify(text.slice(0, 32))}` };
          continue;
        }
        if (spec.type === 'int' && (value > 2147483647 || value < -2147483648)) {
          return { ok: false, field: name, reason: `the custom field ${name} is out of int range: ${text}` };
        }
        if (!Number.isSafeInteger(value)) {
          return { ok: false, field: name, reason: `the custom field ${name} is out of range: ${text}` };
        }
        header[name] = value;
        break;
      }
    }
  }
  return { ok: true, header: header as HeaderOf<S> };
}

/** A schema's fields as a list, made once per schema: every request is checked against one. */
const fieldLists = new WeakMap<HeaderSchema, ReadonlyArray<{ name: string; spec: FieldSpec }>>();

function fieldsOf(schema: HeaderSchema): ReadonlyArray<{ name: string; spec: FieldSpec }> {
  let fields = fieldLists.get(schema);
  if (fields === undefined) {
    fields = Object.keys(schema).map((name) => ({ name, spec: schema[name]! }));
    fieldLists.set(schema, fields);
  }
  return fields;
}

/** The value of decimal integer text (optional sign), or undefined when it is not one. Short texts by hand. */
export function parseInteger(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > 15) return INTEGER_TEXT.test(text) ? Number(text) : undefined;
  let index = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    index = 1;
    if (length === 1) return undefined;
  }
  let value = 0;
  for (; index < length; index++) {
    const digit = text.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** Encodes a header as `extFields`: every present field as text, absent ones left out. */
export function encodeHeader<S extends HeaderSchema>(schema: S, header: HeaderOf<S>): Record<string, string> {
  const extFields: Record<string, string> = {};
  const values = header as Record<string, unknown>;
  for (const name in schema) {
    const value = values[name] ?? schema[name]!.primitiveDefault;
    if (value === undefined || value === null) continue;
    extFields[name] = String(value);
  }
  return extFields;
}

/**
 * One request code: its RocketMQ name and number, the header its request
 * carries and the header its successful response carries. Codes with no header
 * use an empty schema.
 */
export interface RequestDefinition {
  readonly code: number;
  readonly name: string;
  readonly request: HeaderSchema;
  readonly response: HeaderSchema;
}

export const emptyHeader = {} as const satisfies HeaderSchema;

// Arbitrary extFields for the property tests of the fast header decoders:
// mostly well formed, so that most cases take the fast path and the rest the
// generic one.
import fc from 'fast-check';

const numberText = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String) },
  fc.constantFrom('2147483648', '-2147483649', '9007199254740993', '12345678901234567890', '+7', '-0', '', 'x1', '1.5', ' 3'),
  fc.maxSafeInteger().map(String),
);
const booleanText = fc.constantFrom('true', 'TRUE', 'True', 'false', 'yes', '', 'truex');

/** The text of one field of the kind, or (rarely) no field. */
export const value = (kind: 'text' | 'number' | 'boolean') =>
  fc.oneof(
    { weight: 16, arbitrary: kind === 'number' ? numberText : kind === 'boolean' ? booleanText : fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

/** extFields with the given fields, the absent ones left out. */
export function extFieldsOf(fields: Record<string, fc.Arbitrary<string | undefined>>): fc.Arbitrary<Record<string, string>> {
  return fc
    .record(fields)
    .map((drawn) => Object.fromEntries(Object.entries(drawn).filter(([, text]) => text !== undefined)) as Record<string, string>);
}

/**
 * Language codes (RocketMQ `LanguageCode`). JSON headers carry the name, the
 * binary header carries the byte. Unknown values are accepted and kept as
 * `OTHER`: the field is informational and no peer relies on it.
 */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;

export type LanguageName = keyof typeof LanguageCode;

const namesByCode: string[] = [];
for (const [name, code] of Object.entries(LanguageCode)) namesByCode[code] = name;

export function languageName(code: number): string {
  return namesByCode[code] ?? 'OTHER';
}

export function languageCode(name: string): number {
  return Object.hasOwn(LanguageCode, name) ? LanguageCode[name as LanguageName] : LanguageCode.OTHER;
}

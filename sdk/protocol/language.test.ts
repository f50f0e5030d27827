import { describe, expect, it } from 'vitest';
import { LanguageCode, languageCode, languageName } from './language.ts';

describe('LanguageCode', () => {
  it('maps names to bytes and back', () => {
    for (const [name, code] of Object.entries(LanguageCode)) {
      expect(languageName(code)).toBe(name);
      expect(languageCode(name)).toBe(code);
    }
  });

  it('reads unknown names and bytes as OTHER, never as inherited members', () => {
    expect(languageName(99)).toBe('OTHER');
    expect(languageCode('toString')).toBe(LanguageCode.OTHER);
    expect(languageCode('KLINGON')).toBe(LanguageCode.OTHER);
  });
});

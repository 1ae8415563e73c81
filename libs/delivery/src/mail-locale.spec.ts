import { MailLanguages, negotiateLocale, parseAcceptLanguage } from './mail-locale';

describe('parseAcceptLanguage', () => {
  it('orders by q, then by position, lower-cased and deduplicated', () => {
    expect(parseAcceptLanguage('fr;q=0.5, DE-ch, en;q=0.8, de-CH;q=0.1')).toEqual([
      'de-ch',
      'en',
      'fr',
    ]);
  });

  it('drops *, q=0, malformed tags and anything past six', () => {
    expect(parseAcceptLanguage('*, en;q=0, x"y, de;q=abc, <script>')).toEqual(['de']);
    expect(parseAcceptLanguage('a,b,c,d,e,f,g,h')).toHaveLength(6);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(parseAcceptLanguage('')).toEqual([]);
  });

  it('reads at most 512 characters of a header', () => {
    expect(parseAcceptLanguage(`${'x'.repeat(600)},de`)).toEqual([]);
  });
});

describe('negotiateLocale', () => {
  const available = ['en', 'de', 'pt-br'];
  it('takes the first exact or primary-subtag match, else the fallback', () => {
    expect(negotiateLocale(['fr', 'de-at', 'en'], available, 'en')).toBe('de');
    expect(negotiateLocale(['pt-br'], available, 'en')).toBe('pt-br');
    expect(negotiateLocale(['pt-pt'], available, 'en')).toBe('en');
    expect(negotiateLocale(['fr', 'it'], available, 'en')).toBe('en');
    expect(negotiateLocale([], available, 'en')).toBe('en');
  });
});

describe('MailLanguages', () => {
  it('holds the languages for the run and its async continuations only', async () => {
    expect(MailLanguages.current()).toEqual([]);
    const seen = await MailLanguages.run(['de'], async () => {
      await new Promise((r) => setTimeout(r, 1));
      return MailLanguages.current();
    });
    expect(seen).toEqual(['de']);
    expect(MailLanguages.current()).toEqual([]);
  });
});

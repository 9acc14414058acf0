import { describe, expect, it } from 'vitest';
import { fhirStringText, hasLoneSurrogate, keptText } from '../../../src/domain/free-text.js';

describe('free-text rules', () => {
  it.each([
    ['\ud800', true],
    ['a\udfffb', true],
    ['\udc00\ud800', true],
    ['\u{1F600} paired', false],
    ['plain', false],
  ])('when text is %j, then a lone surrogate is found: %s', (text, found) => {
    expect(hasLoneSurrogate(text)).toBe(found);
  });

  it('when multi-line text holds controls, then TAB and LF stay, CR LF and CR become LF, and C0, DEL and C1 go', () => {
    expect(keptText('a\tb\r\nc\rd\ne\u0000f\u001bg\u007fh\u0085i\u009fj', 'multi-line')).toBe('a\tb\nc\nd\ne' + 'fghij');
  });

  it('when single-line text holds TAB or line breaks, then each becomes one space, and other controls go', () => {
    expect(keptText('a\tb\r\nc\rd\ne\u0000f', 'single-line')).toBe('a b c d ef');
  });

  it('when text holds Unicode spaces or format characters, then validation keeps them (FHIR mapping turns the spaces into spaces)', () => {
    expect(keptText('a\u00a0b\u200bc', 'single-line')).toBe('a\u00a0b\u200bc');
  });

  it('when text is written into a FHIR string, then Unicode spaces become spaces, TAB CR LF stay, other controls go and a lone surrogate becomes U+FFFD', () => {
    expect(fhirStringText('a\u00a0b\u3000c\u2028d\te\r\nf\u0007g\u0085h\ud800i\u{1F600}')).toBe('a b c d\te\r\nfgh\ufffdi\u{1F600}');
  });
});

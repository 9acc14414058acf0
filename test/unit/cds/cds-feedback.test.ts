import { describe, expect, it } from 'vitest';
import { feedbackLogFields } from '../../../src/cds/cds-feedback.js';

const CARD = '0b7f5d2e-7a44-4c1f-9d0e-2f1f0e6a9b11';

describe('what CDS feedback may put in a log line', () => {
  it('when feedback is well formed, then the card id, outcome, suggestion ids and reason code are kept, and no free text', () => {
    const fields = feedbackLogFields({ card: CARD, outcome: 'overridden', acceptedSuggestions: [{ id: 's-1' }], overrideReason: { reason: { code: 'patient-declined', system: 'x', display: 'Maria declined' }, userComment: 'Maria Lopez said no' }, outcomeTimestamp: '2026-01-01T00:00:00Z' });
    expect(fields).toEqual({ card: CARD, outcome: 'overridden', acceptedSuggestions: 's-1', overrideReason: 'patient-declined' });
  });

  it('when free text sits where an id, outcome or code belongs, then a placeholder is logged instead', () => {
    const fields = feedbackLogFields({ card: 'Maria Lopez refused', outcome: 'overridden: Maria is afraid', acceptedSuggestions: [{ id: 'Maria asked' }, 'x'], overrideReason: { reason: { code: 'Maria said no' } } });
    expect(fields).toEqual({ card: 'not-a-card-id', outcome: 'unknown', acceptedSuggestions: 'not-an-id,not-an-id', overrideReason: 'not-a-code' });
  });

  it.each([null, 'text', 42, []])('when an item is %j, then it logs as unknown without throwing', (item) => {
    expect(feedbackLogFields(item)).toEqual({ card: 'not-a-card-id', outcome: 'unknown', acceptedSuggestions: undefined, overrideReason: undefined });
  });
});

import type { Coverage, DocumentReference, Patient } from 'fhir/r4.js';
import { describe, expect, it } from 'vitest';
import { chartDocuments, memberIdOf, mrnOf, payerNameOf } from '../../../src/export/chart-documents.js';
import { parseExportFilters } from '../../../src/export/export-filters.js';

const text = (s: string) => Buffer.from(s).toString('base64');
const doc = (over: Partial<DocumentReference>): DocumentReference => ({ resourceType: 'DocumentReference', status: 'current', content: [{ attachment: { contentType: 'text/plain', data: text('body') } }], ...over });

describe('chart documents for the payer packet', () => {
  it('when a chart holds notes, a plan of care, a consent, an ABN and other documents, then only the plan of care, consent and ABN are kept, oldest first, with their text', () => {
    const found = chartDocuments([
      doc({ type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] }, date: '2026-01-05', context: { related: [{ reference: 'Procedure/v1' }] } }),
      doc({ type: { coding: [{ system: 'http://loinc.org', code: '59284-0' }], text: 'Consent to dry needling' }, date: '2026-01-03' }),
      doc({ type: { coding: [{ system: 'http://loinc.org', code: '18776-5' }] }, date: '2026-01-02', content: [{ attachment: { contentType: 'text/plain', data: text('Goals: half the pain') } }] }),
      doc({ type: { text: 'Advance Beneficiary Notice of Noncoverage (ABN)' }, date: '2026-01-04' }),
      doc({ type: { text: 'Imaging report' }, date: '2026-01-01' }),
      doc({ type: { text: 'Plan of care' }, status: 'superseded', date: '2025-12-01' }),
    ]);
    expect(found.map((d) => d.title)).toEqual(['Plan of care', 'Consent to dry needling', 'Advance Beneficiary Notice of Noncoverage (ABN)']);
    expect(found[0]?.text).toBe('Goals: half the pain');
  });

  it('when a patient has several identifiers, then the MRN is the one typed MR; the member id is the active Coverage\'s subscriber id', () => {
    const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:ssn', value: '000' }, { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, value: 'MRN-1' }] };
    expect(mrnOf(patient)).toBe('MRN-1');
    const coverages: Coverage[] = [
      { resourceType: 'Coverage', status: 'cancelled', beneficiary: { reference: 'Patient/p' }, payor: [{ display: 'Old plan' }], subscriberId: 'OLD' },
      { resourceType: 'Coverage', status: 'active', beneficiary: { reference: 'Patient/p' }, payor: [{ display: 'Acme Health PPO' }], subscriberId: 'NEW' },
    ];
    expect(memberIdOf(coverages)).toBe('NEW');
    expect(payerNameOf(coverages)).toBe('Acme Health PPO');
  });
});

describe('export filters for the payer request', () => {
  it('when the requester, reference and drafts are given, then they are kept; a reference over 200 characters or with a line break is refused by name', () => {
    expect(parseExportFilters({ from: '2026-01-01', to: '2026-02-01', requester: 'Medical Review Unit', requestReference: 'ADR-1', includeDrafts: 'true' }, new Set()).filters).toEqual({ from: '2026-01-01', to: '2026-02-01', requester: 'Medical Review Unit', requestReference: 'ADR-1', includeDrafts: true });
    expect(parseExportFilters({ from: '2026-01-01', to: '2026-02-01', includeDrafts: false }, new Set()).filters).toEqual({ from: '2026-01-01', to: '2026-02-01' });
    const { issues } = parseExportFilters({ from: '2026-01-01', to: '2026-02-01', requestReference: 'x'.repeat(201), requester: 'a\nb', includeDrafts: 'yes' }, new Set());
    expect(issues.map((i) => i.path)).toEqual(['requester', 'requestReference', 'includeDrafts']);
  });
});

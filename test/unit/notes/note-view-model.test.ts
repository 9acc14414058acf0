import { beforeAll, describe, expect, it } from 'vitest';
import { SEVERITY_WORDS } from '../../../src/domain/field-labels.js';
import type { Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

describe('findings in the view model', () => {
  it('when findings go into the view model, then each keeps every field of the finding, in order, and adds the severity and field in words', () => {
    // A session with gaps, so there are findings of several rules and paths (with and without a list entry).
    const analysis = analyseSession(completeSession({ necessity: undefined, practices: undefined, adverseEvents: undefined, response: undefined }), core);
    const findings = analysis.readiness.findings;
    expect(findings.length).toBeGreaterThan(3);
    analysis.view.readiness.findings.forEach((view, i) => {
      const finding = findings[i]!;
      expect(Object.keys(view)).toEqual([...Object.keys(finding), 'severityLabel', 'field']);
      expect(view).toEqual({ ...finding, severityLabel: SEVERITY_WORDS[finding.severity], field: view.field });
      expect(view.field).not.toMatch(/[[\].]/);
    });
  });

  it('when two sessions are described one after the other, then a field of a list entry names each session\'s own muscle', () => {
    const field = (id: string) => analyseSession(completeSession({ muscles: [muscle(id, 'left')] }), core).view.readiness.findings.find((f) => f.path === 'muscles[0].exam')?.field;
    expect(field('piriformis')).toBe('Muscle 1 (left piriformis): palpation findings');
    expect(field('gluteus-medius')).toBe('Muscle 1 (left gluteus medius): palpation findings');
  });
});

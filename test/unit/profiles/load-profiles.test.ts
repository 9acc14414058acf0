import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILES_DIR, loadProfiles, ProfileLoadError } from '../../../src/profiles/load-profiles.js';

const REQUIRED_MUSCLES = 'masseter temporalis lateral-pterygoid sternocleidomastoid anterior-scalene middle-scalene upper-trapezius middle-trapezius lower-trapezius levator-scapulae splenius-capitis splenius-cervicis semispinalis-capitis suboccipitals rhomboid-major rhomboid-minor supraspinatus infraspinatus teres-minor teres-major subscapularis deltoid pectoralis-major pectoralis-minor serratus-anterior latissimus-dorsi intercostals biceps-brachii triceps-brachii brachioradialis wrist-extensors wrist-flexors thoracic-paraspinals lumbar-multifidus quadratus-lumborum iliopsoas gluteus-maximus gluteus-medius gluteus-minimus piriformis tensor-fasciae-latae adductor-longus rectus-femoris vastus-lateralis vastus-medialis biceps-femoris semitendinosus gastrocnemius soleus tibialis-anterior fibularis-longus abductor-hallucis flexor-digitorum-brevis quadratus-plantae'.split(' ');

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const validPayer = JSON.parse(readFileSync(join(DEFAULT_PROFILES_DIR, 'payers', 'commercial-covered.json'), 'utf8')) as Record<string, unknown>;

describe('the shipped profiles', () => {
  it('when loaded, then every file passes its schema and cross-file checks', async () => {
    const { profiles } = await loadProfiles();
    expect([...profiles.payers.keys()].sort()).toEqual(['commercial-covered', 'commercial-investigational', 'medicare', 'wa-lni']);
  });

  it('when the muscle catalog is read, then it has at least 60 muscles including every one the issue lists', async () => {
    const { profiles } = await loadProfiles();
    expect(profiles.muscles.size).toBeGreaterThanOrEqual(60);
    for (const id of REQUIRED_MUSCLES) expect(profiles.muscles.has(id), id).toBe(true);
  });

  it('when the catalog flags pneumothorax risk, then every DOMAIN.md risk region is flagged with a reason', async () => {
    const { profiles } = await loadProfiles();
    for (const id of ['upper-trapezius', 'rhomboid-major', 'rhomboid-minor', 'middle-trapezius', 'thoracic-paraspinals', 'supraspinatus', 'anterior-scalene', 'middle-scalene', 'intercostals', 'serratus-anterior']) {
      const risk = profiles.muscles.get(id)?.pneumothoraxRisk;
      expect(risk?.risk, id).toBe(true);
      expect(risk?.reason?.length, id).toBeGreaterThan(10);
    }
    expect(profiles.muscles.get('gastrocnemius')?.pneumothoraxRisk.risk).toBe(false);
  });

  it('when SNOMED CT codes are present, then only verified ones from DOMAIN.md are there (gluteus medius 78333006)', async () => {
    const { profiles } = await loadProfiles();
    const coded = [...profiles.muscles.values()].filter((m) => m.snomed);
    expect(coded.map((m) => [m.id, m.snomed?.code, m.snomed?.verified])).toEqual([['gluteus-medius', '78333006', true]]);
  });

  it('when codes are listed, then none carries an AMA descriptor phrase and each has a source and verified flag', async () => {
    const { profiles } = await loadProfiles();
    for (const code of profiles.codes.values()) {
      expect(code.short).not.toMatch(/Needle insertion\(s\) without injection\(s\)/);
      expect(code.source.length).toBeGreaterThan(5);
      expect(typeof code.verified).toBe('boolean');
    }
  });
});

describe('a clinic payer directory (NEEDLECHART_PAYERS_DIR)', () => {
  it('when the clinic adds a payer file, then it is available beside ours without code changes', async () => {
    const dir = tempDir('nc-payers-');
    writeFileSync(join(dir, 'acme-health.json'), JSON.stringify({ ...validPayer, id: 'acme-health', name: 'Acme Health' }));
    const { profiles, check } = await loadProfiles({ payersDir: dir });
    expect(profiles.payers.get('acme-health')?.name).toBe('Acme Health');
    expect(profiles.payers.has('medicare')).toBe(true);
    // The session schema's payer list includes it too.
    expect(check('https://needlechart.dev/schemas/session.schema.json', { payer: 'acme-health' }).some((i) => i.path === 'payer')).toBe(false);
  });

  it('when the clinic file has the id of a built-in payer, then the clinic version replaces ours', async () => {
    const dir = tempDir('nc-payers-');
    writeFileSync(join(dir, 'commercial-covered.json'), JSON.stringify({ ...validPayer, name: 'Our negotiated plan' }));
    const { profiles } = await loadProfiles({ payersDir: dir });
    expect(profiles.payers.get('commercial-covered')?.name).toBe('Our negotiated plan');
  });

  it.each([
    ['not JSON', '{ "id": ', /acme\.json: not valid JSON/],
    ['missing coverage', JSON.stringify({ ...validPayer, id: 'acme', coverage: undefined }), /acme\.json: coverage is required/],
    ['a misspelt rule field', JSON.stringify({ ...validPayer, id: 'acme', rules: { therapyModifier: { modifer: 'GP', source: 's', effective: '2020-01-01', verified: true } } }), /acme\.json: rules\.therapyModifier\.modifer is not a recognised field/],
    ['a bad effective date', JSON.stringify({ ...validPayer, id: 'acme', coverage: { ...(validPayer.coverage as object), effective: 'soon' } }), /acme\.json: coverage\.effective must be a valid date/],
    ['an id that does not match the file name', JSON.stringify({ ...validPayer, id: 'other' }), /acme\.json: id 'other' must match the file name/],
    ['an unknown e-stim code', JSON.stringify({ ...validPayer, id: 'acme', rules: { unattendedEstimCode: { code: '97999', source: 's', effective: '2020-01-01', verified: false } } }), /acme\.json: rules\.unattendedEstimCode\.code must be 97014 or G0283/],
    ['investigational without its rule', JSON.stringify({ ...validPayer, id: 'acme', coverage: { ...(validPayer.coverage as object), status: 'investigational' } }), /payer 'acme': coverage\.status investigational needs rules\.investigational/],
  ])('when a clinic payer file is malformed (%s), then start-up fails naming the file and the field', async (_label, content, message) => {
    const dir = tempDir('nc-payers-');
    writeFileSync(join(dir, 'acme.json'), content);
    const error = await loadProfiles({ payersDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileLoadError);
    expect((error as ProfileLoadError).message).toMatch(message);
  });

  it('when the payer directory does not exist, then start-up fails saying so', async () => {
    await expect(loadProfiles({ payersDir: '/nonexistent/payers' })).rejects.toThrow(/payer directory cannot be read/);
  });

  it('when two problems exist, then both are listed in one error', async () => {
    const dir = tempDir('nc-profiles-');
    cpSync(DEFAULT_PROFILES_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'payers', 'medicare.json'), '{}');
    writeFileSync(join(dir, 'icd10.json'), '[]');
    const error = (await loadProfiles({ profilesDir: dir }).catch((e: unknown) => e)) as ProfileLoadError;
    expect(error.problems.some((p) => p.includes('medicare.json'))).toBe(true);
    expect(error.problems.some((p) => p.includes('icd10.json'))).toBe(true);
  });
});

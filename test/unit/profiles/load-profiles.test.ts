import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexProfiles } from '../../../src/domain/profiles.js';
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

  it('when the catalog flags pneumothorax risk, then every risk region is flagged with a reason, and the flags cite their sources', async () => {
    const { profiles } = await loadProfiles();
    for (const id of ['upper-trapezius', 'rhomboid-major', 'rhomboid-minor', 'middle-trapezius', 'thoracic-paraspinals', 'supraspinatus', 'anterior-scalene', 'middle-scalene', 'intercostals', 'serratus-anterior']) {
      const risk = profiles.muscles.get(id)?.pneumothoraxRisk;
      expect(risk?.risk, id).toBe(true);
      expect(risk?.reason?.length, id).toBeGreaterThan(10);
    }
    expect(profiles.muscles.get('gastrocnemius')?.pneumothoraxRisk.risk).toBe(false);
    expect(profiles.files.muscles.pneumothoraxCitations).toEqual(['kearns-2022', 'mitchell-2018']);
  });

  it('when a catalog entry names a region, then it lists the named muscles it stands for, each in the catalog and itself a named muscle', async () => {
    const { profiles } = await loadProfiles();
    const regions = [...profiles.muscles.values()].filter((m) => m.group);
    expect(regions.map((m) => m.id).sort()).toEqual(['intercostals', 'lumbar-erector-spinae', 'suboccipitals', 'thoracic-paraspinals', 'wrist-extensors', 'wrist-flexors']);
    for (const region of regions) {
      expect(region.namedMuscles?.length, region.id).toBeGreaterThan(0);
      for (const id of region.namedMuscles ?? []) {
        const named = profiles.muscles.get(id);
        expect(named?.group, `${region.id} → ${id}`).toBe(false);
        expect(named?.region, `${region.id} → ${id}`).toBe(region.region);
      }
    }
    for (const id of ['thoracic-multifidus', 'longissimus-thoracis', 'iliocostalis-thoracis', 'external-intercostals', 'internal-intercostals']) {
      expect(profiles.muscles.get(id)?.pneumothoraxRisk.risk, id).toBe(true);
    }
    for (const id of ['longissimus-lumborum', 'iliocostalis-lumborum', 'rectus-capitis-posterior-major', 'extensor-carpi-ulnaris', 'flexor-carpi-ulnaris']) {
      expect(profiles.muscles.get(id)?.pneumothoraxRisk.risk, id).toBe(false);
    }
  });

  it('when a region lists a muscle that is missing or itself a region, then start-up refuses the catalog', async () => {
    const { files } = (await loadProfiles()).profiles;
    const muscles = files.muscles.muscles.map((m) => (m.id === 'wrist-flexors' ? { ...m, namedMuscles: ['flexor-carpi-radialis', 'no-such-muscle', 'wrist-extensors'] } : m));
    const { problems } = indexProfiles({ ...files, muscles: { ...files.muscles, muscles } });
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining("'no-such-muscle'"), expect.stringContaining("'wrist-extensors'")]));
  });

  it('when a code\'s dates or unit fields contradict each other, then start-up lists each problem', async () => {
    const { files } = (await loadProfiles()).profiles;
    const codes = files.codes.codes.map((c) => {
      if (c.code === '97110') return { ...c, timed: false };
      if (c.code === '20561') return { ...c, muscleRange: undefined };
      if (c.code === '20999') return { ...c, expires: '2003-01-01' };
      return c;
    });
    const { problems } = indexProfiles({ ...files, codes: { ...files.codes, codes } });
    expect(problems).toEqual(expect.arrayContaining([
      'codes.json code 97110: timed must be true for unitRule timed-15-minutes',
      'codes.json code 20561: a needling code needs a muscleRange (the distinct muscles it reports)',
      'codes.json code 20999: expires 2003-01-01 is before effective 2003-09-01',
    ]));
  });

  it('when a payer file claims NeedleChart\'s own no-policy-in-force status, then start-up refuses it', async () => {
    const { files } = (await loadProfiles()).profiles;
    const payers = files.payers.map((p) => (p.id === 'wa-lni' ? { ...p, coverage: { ...p.coverage, status: 'no-policy-in-force' as const } } : p));
    expect(indexProfiles({ ...files, payers }).problems).toEqual(expect.arrayContaining([expect.stringContaining("payer 'wa-lni': coverage.status no-policy-in-force")]));
  });

  it('when the therapy threshold amounts are read, then every year is dated to its calendar year and only the amounts read in a contractor\'s page are verified', async () => {
    const { profiles } = await loadProfiles();
    const amounts = profiles.payers.get('medicare')?.rules.therapyThreshold?.amounts ?? [];
    for (const a of amounts) {
      expect(a.effective.slice(5)).toBe('01-01');
      expect(a.expires.slice(5)).toBe('12-31');
      expect(a.expires.slice(0, 4)).toBe(a.effective.slice(0, 4));
    }
    expect(amounts.filter((a) => a.verified).map((a) => a.amount)).toEqual([2150, 2230, 2330]);
  });

  it('when an instrument\'s MCID is marked verified but rests only on unread sources, or asks more answered items than it has, then start-up refuses the table', async () => {
    const { files } = (await loadProfiles()).profiles;
    const instruments = files.outcomeMeasures.instruments.map((i) =>
      i.id === 'LEFS' ? { ...i, mcid: { points: 9, citations: ['binkley-1999'], verified: true, note: 'read nowhere' } }
      : i.id === 'PSFS' && i.scoring ? { ...i, scoring: { ...i.scoring, minAnswered: 6 } }
      : i);
    const { problems } = indexProfiles({ ...files, outcomeMeasures: { ...files.outcomeMeasures, instruments } });
    expect(problems).toEqual(expect.arrayContaining([
      'outcome-measures.json LEFS mcid: marked verified, but none of its citations (binkley-1999) was verified',
      'instrument PSFS: scoring.minAnswered 6 is more than its 5 items',
    ]));
  });

  it('when the shipped outcome measures are read, then every MCID and scoring rule cites sources in the registry, and only the ODI scoring is marked as read', async () => {
    const { profiles } = await loadProfiles();
    const scored = profiles.files.outcomeMeasures.instruments.filter((i) => i.scoring);
    expect(scored.map((i) => i.id)).toEqual(['NDI', 'ODI', 'LEFS', 'PSFS', 'JFLS']);
    expect(scored.filter((i) => i.scoring?.verified).map((i) => i.id)).toEqual(['ODI']);
    for (const i of scored) for (const id of [...(i.scoring?.citations ?? []), ...(i.mcid?.citations ?? [])]) expect(profiles.citations.has(id), `${i.id} ${id}`).toBe(true);
  });

  it('when e-stim codes are read, then the 97032 pairing with needle e-stim and every payer\'s unattended e-stim code are unverified', async () => {
    const { profiles } = await loadProfiles();
    expect(profiles.codes.get('97032')?.verified).toBe(false);
    for (const payer of profiles.payers.values()) {
      if (payer.id === 'medicare') continue;
      expect(payer.rules.unattendedEstimCode?.verified, payer.id).toBe(false);
    }
  });

  it('when SNOMED CT codes are present, then only the verified one is there (gluteus medius 78333006)', async () => {
    const { profiles } = await loadProfiles();
    const coded = [...profiles.muscles.values()].filter((m) => m.snomed);
    expect(coded.map((m) => [m.id, m.snomed?.code, m.snomed?.verified])).toEqual([['gluteus-medius', '78333006', true]]);
  });

  it('when codes are listed, then none carries an AMA descriptor phrase and each cites sources and has a verified flag', async () => {
    const { profiles } = await loadProfiles();
    for (const code of profiles.codes.values()) {
      expect(code.short).not.toMatch(/Needle insertion\(s\) without injection\(s\)/);
      expect(code.citations.length).toBeGreaterThan(0);
      expect(typeof code.verified).toBe('boolean');
    }
  });
});

describe('the citation registry (profiles/citations.json)', () => {
  it('when loaded, then every source has a publisher and title, and a verified flag, and the sources that must not be cited are absent', async () => {
    const { profiles } = await loadProfiles();
    expect(profiles.citations.size).toBeGreaterThan(30);
    for (const c of profiles.citations.values()) {
      expect(c.publisher.length, c.id).toBeGreaterThan(1);
      expect(c.title.length, c.id).toBeGreaterThan(1);
      expect(typeof c.verified, c.id).toBe('boolean');
    }
    const text = readFileSync(join(DEFAULT_PROFILES_DIR, 'citations.json'), 'utf8');
    expect(text).not.toMatch(/DOMAIN\.md|CITATIONS\.md|\bseeds? ?\d{3}/);
  });

  it('when rules cite sources, then they resolve to the registry entries with a one-line source for people', async () => {
    const { profiles } = await loadProfiles();
    const sources = profiles.cite(['cms-100-04-5']);
    expect(sources.citations[0]).toMatchObject({ publisher: 'CMS', title: 'Medicare Claims Processing Manual', verified: true });
    expect(sources.source).toBe('CMS \u2014 Medicare Claims Processing Manual, Pub. 100-04, ch. 5, \u00a720.2 (Reporting of Service Units With HCPCS)');
    expect(profiles.cite(['cms-100-04-5'])).toBe(sources);
    expect(profiles.cite(['cpt-assistant-2014-10']).verified).toBe(false);
    expect(profiles.cite(['cms-100-04-5'], false).verified).toBe(false);
  });

  it.each([
    ['a code citing an id the registry lacks', 'codes.json', (v: Record<string, unknown>) => ({ ...v, codes: (v.codes as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, citations: ['no-such-source'] } : c)) }), /codes\.json code 20560: citation 'no-such-source' is not in citations\.json/],
    ['a code marked verified whose sources were all unread', 'codes.json', (v: Record<string, unknown>) => ({ ...v, codes: (v.codes as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, citations: ['cpt-2020'], verified: true } : c)) }), /codes\.json code 20560: marked verified, but none of its citations \(cpt-2020\) was verified/],
    ['an ICD-10 code naming a block the table lacks', 'icd10.json', (v: Record<string, unknown>) => ({ ...v, codes: (v.codes as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, block: 'Z99' } : c)) }), /ICD-10 M26\.6: block Z99 is not in icd10\.json blocks/],
    ['an ICD-10 code citing an unknown id', 'icd10.json', (v: Record<string, unknown>) => ({ ...v, codes: (v.codes as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, citations: ['typo-source'] } : c)) }), /icd10\.json M26\.6: citation 'typo-source' is not in citations\.json/],
    ['a citation without a publisher', 'citations.json', (v: Record<string, unknown>) => ({ ...v, citations: [...(v.citations as Record<string, unknown>[]), { id: 'extra', title: 'x', verified: false }] }), /citations\.json: citations\[\d+\]\.publisher is required/],
  ])('when %s, then start-up fails naming the file and the id', async (_label, file, change, message) => {
    const dir = tempDir('nc-profiles-');
    cpSync(DEFAULT_PROFILES_DIR, dir, { recursive: true });
    const value = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, file), JSON.stringify(change(value)));
    const error = await loadProfiles({ profilesDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileLoadError);
    expect((error as ProfileLoadError).message).toMatch(message);
  });

  it('when a payer file cites an unknown id, then start-up fails naming the payer and the rule', async () => {
    const dir = tempDir('nc-payers-');
    writeFileSync(join(dir, 'acme.json'), JSON.stringify({ ...validPayer, id: 'acme', coverage: { ...(validPayer.coverage as object), citations: ['acme-policy'] } }));
    await expect(loadProfiles({ payersDir: dir })).rejects.toThrow(/payer 'acme' coverage: citation 'acme-policy' is not in citations\.json/);
  });

  it('when a clinic payer file adds a source whose address is not http or https, then start-up fails (notes link to it)', async () => {
    const dir = tempDir('nc-payers-');
    const sources = [{ id: 'acme-dn-2025', publisher: 'Acme Health', title: 'Dry needling', url: 'javascript:alert(1)', verified: true }];
    writeFileSync(join(dir, 'acme.json'), JSON.stringify({ ...validPayer, id: 'acme', sources }));
    await expect(loadProfiles({ payersDir: dir })).rejects.toThrow(/acme\.json: sources\[0\]\.url/);
  });

  it('when a clinic payer file adds its own source, then its rules may cite it and outputs carry it', async () => {
    const dir = tempDir('nc-payers-');
    const sources = [{ id: 'acme-dn-2025', publisher: 'Acme Health', title: 'Dry needling', identifier: 'Medical Policy 7.1', date: '2025-03-01', verified: true }];
    writeFileSync(join(dir, 'acme.json'), JSON.stringify({ ...validPayer, id: 'acme', name: 'Acme Health', sources, coverage: { ...(validPayer.coverage as object), citations: ['acme-dn-2025'], verified: true } }));
    const { profiles } = await loadProfiles({ payersDir: dir });
    expect(profiles.cite(['acme-dn-2025']).source).toBe('Acme Health \u2014 Dry needling, Medical Policy 7.1 (March 1, 2025)');
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
    ['a misspelt rule field', JSON.stringify({ ...validPayer, id: 'acme', rules: { therapyModifier: { modifer: 'GP', citations: ['wps-therapy-modifiers'], effective: '2020-01-01', verified: true } } }), /acme\.json: rules\.therapyModifier\.modifer is not a recognised field/],
    ['a bad effective date', JSON.stringify({ ...validPayer, id: 'acme', coverage: { ...(validPayer.coverage as object), effective: 'soon' } }), /acme\.json: coverage\.effective must be a valid date/],
    ['an id that does not match the file name', JSON.stringify({ ...validPayer, id: 'other' }), /acme\.json: id 'other' must match the file name/],
    ['an unknown e-stim code', JSON.stringify({ ...validPayer, id: 'acme', rules: { unattendedEstimCode: { code: '97999', citations: ['codapedia-estim-2018'], effective: '2020-01-01', verified: false } } }), /acme\.json: rules\.unattendedEstimCode\.code must be 97014 or G0283/],
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

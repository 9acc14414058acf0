import { createCite, type Citation, type Cite } from './citations.js';
import { RULE_SOURCES, type RuleCited, type RuleName } from './rule-sources.js';
import type {
  CitationRegistryFile,
  CodeTableFile,
  Icd10TableFile,
  Muscle,
  MuscleCatalogFile,
  OutcomeMeasureFile,
  PayerPolicy,
  StateScopeFile,
} from './types.generated.js';

export type CodeEntry = CodeTableFile['codes'][number];
export type ModifierEntry = CodeTableFile['modifiers'][number];
export type Icd10Entry = Icd10TableFile['codes'][number];
export type StateScopeEntry = StateScopeFile['states'][number];
export type Instrument = OutcomeMeasureFile['instruments'][number];

/** The profile files as read from disk and schema-checked, before indexing. */
export interface ProfileFiles {
  readonly muscles: MuscleCatalogFile;
  readonly codes: CodeTableFile;
  readonly payers: readonly PayerPolicy[];
  readonly icd10: Icd10TableFile;
  readonly stateScope: StateScopeFile;
  readonly outcomeMeasures: OutcomeMeasureFile;
  readonly citations: CitationRegistryFile;
}

/** Everything the coding and readiness rules look up, indexed once at start-up. */
export interface Profiles {
  readonly files: ProfileFiles;
  readonly muscles: ReadonlyMap<string, Muscle>;
  readonly codes: ReadonlyMap<string, CodeEntry>;
  readonly modifiers: ReadonlyMap<string, ModifierEntry>;
  readonly payers: ReadonlyMap<string, PayerPolicy>;
  readonly icd10: ReadonlyMap<string, Icd10Entry>;
  readonly states: ReadonlyMap<string, StateScopeEntry>;
  readonly instruments: ReadonlyMap<string, Instrument>;
  /** Every public source by id: profiles/citations.json plus the `sources` payer files add. */
  readonly citations: ReadonlyMap<string, Citation>;
  /** Resolves citation ids to the sources an output carries; memoised, so resolved once per set. */
  readonly cite: Cite;
  /** The built-in rules' sources (src/domain/rule-sources.ts), resolved once. */
  readonly rules: Readonly<Record<RuleName, RuleCited>>;
}

function indexBy<T>(items: readonly T[], key: (item: T) => string, what: string, problems: string[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (map.has(k)) problems.push(`${what} '${k}' is defined twice`);
    map.set(k, item);
  }
  return map;
}

/**
 * Indexes the profile files and checks what a schema cannot: unique ids and references between
 * files (a payer's e-stim code and modifiers exist in codes.json, ICD-10 children exist, a region's
 * named muscles exist and are not regions).
 * Returns the problems instead of throwing so start-up can list them all.
 */
export function indexProfiles(files: ProfileFiles): { profiles: Profiles; problems: string[] } {
  const problems: string[] = [];
  const muscles = indexBy(files.muscles.muscles, (m) => m.id, 'muscle', problems);
  const codes = indexBy(files.codes.codes, (c) => c.code, 'code', problems);
  const modifiers = indexBy(files.codes.modifiers, (m) => m.code, 'modifier', problems);
  const payers = indexBy(files.payers, (p) => p.id, 'payer policy', problems);
  const icd10 = indexBy(files.icd10.codes, (c) => c.code, 'ICD-10 code', problems);
  const states = indexBy(files.stateScope.states, (s) => s.state, 'state', problems);
  const instruments = indexBy(files.outcomeMeasures.instruments, (i) => i.id, 'instrument', problems);
  const citations = indexBy([...files.citations.citations, ...files.payers.flatMap((p) => p.sources ?? [])], (c) => c.id, 'citation', problems);

  for (const payer of files.payers) {
    const estim = payer.rules.unattendedEstimCode?.code;
    if (estim && !codes.has(estim)) problems.push(`payer '${payer.id}': rules.unattendedEstimCode ${estim} is not in codes.json`);
    const used = [
      payer.rules.therapyModifier?.modifier,
      ...(payer.rules.nonCoveredNeedling?.modifiers ?? []),
      ...(payer.rules.nonCoveredNeedling?.optionalModifiers ?? []),
      payer.rules.therapyThreshold?.modifier,
    ];
    for (const m of used) if (m && !modifiers.has(m)) problems.push(`payer '${payer.id}': modifier ${m} is not in codes.json modifiers`);
    if (payer.coverage.status === 'no-policy-in-force') {
      problems.push(`payer '${payer.id}': coverage.status no-policy-in-force is NeedleChart's own view of a date without a policy; a payer file states its policy and dates it (effective, expires, history)`);
    }
    if (payer.coverage.status === 'investigational' && !payer.rules.investigational) {
      problems.push(`payer '${payer.id}': coverage.status investigational needs rules.investigational (disclosure and options)`);
    }
    if (payer.coverage.status === 'statutorily-non-covered' && !payer.rules.nonCoveredNeedling) {
      problems.push(`payer '${payer.id}': coverage.status statutorily-non-covered needs rules.nonCoveredNeedling (modifiers and ABN)`);
    }
  }
  for (const region of files.muscles.muscles) {
    for (const id of region.namedMuscles ?? []) {
      const named = muscles.get(id);
      if (!named) problems.push(`muscle '${region.id}': named muscle '${id}' is not in muscles.json`);
      else if (named.group) problems.push(`muscle '${region.id}': named muscle '${id}' is itself a region`);
    }
  }
  for (const entry of files.icd10.codes) {
    for (const child of entry.children ?? []) {
      if (!icd10.has(child)) problems.push(`ICD-10 ${entry.code}: child ${child} is not in icd10.json`);
    }
    if (!files.icd10.blocks.some((b) => b.id === entry.block)) problems.push(`ICD-10 ${entry.code}: block ${entry.block} is not in icd10.json blocks`);
  }
  for (const i of files.outcomeMeasures.instruments) {
    if (i.scoring && i.scoring.minAnswered > i.scoring.items) problems.push(`instrument ${i.id}: scoring.minAnswered ${i.scoring.minAnswered} is more than its ${i.scoring.items} items`);
    if (i.scoring?.itemLabels && i.scoring.itemLabels.length !== i.scoring.items) problems.push(`instrument ${i.id}: scoring.itemLabels names ${i.scoring.itemLabels.length} items, but it has ${i.scoring.items}`);
  }
  for (const c of files.codes.codes) {
    if (c.timed !== (c.unitRule === 'timed-15-minutes')) problems.push(`codes.json code ${c.code}: timed must be ${c.unitRule === 'timed-15-minutes'} for unitRule ${c.unitRule}`);
    if (c.role === 'needling' && !c.muscleRange) problems.push(`codes.json code ${c.code}: a needling code needs a muscleRange (the distinct muscles it reports)`);
    if (c.expires !== undefined && c.expires < c.effective) problems.push(`codes.json code ${c.code}: expires ${c.expires} is before effective ${c.effective}`);
  }
  const roles = new Set(files.codes.codes.map((c) => c.role));
  for (const role of ['needling', 'estim-attended'] as const) {
    if (!roles.has(role)) problems.push(`codes.json has no code with role ${role}`);
  }

  checkCitations(files, citations, problems);
  const cite = createCite(citations);
  const rules = Object.fromEntries(
    (Object.entries(RULE_SOURCES) as [RuleName, (typeof RULE_SOURCES)[RuleName]][]).map(([name, entry]) => {
      const known = entry.citations.filter((id) => citations.has(id));
      const verified = 'verified' in entry ? entry.verified : true;
      return [name, { ...cite(known, verified), checkWith: 'checkWith' in entry ? entry.checkWith : 'payer' }];
    }),
  ) as Record<RuleName, RuleCited>;

  return { profiles: { files, muscles, codes, modifiers, payers, icd10, states, instruments, citations, cite, rules }, problems };
}

/** Every place a rule names its sources, with a label for the problem list. */
function citingEntries(files: ProfileFiles): { where: string; ids: readonly string[]; verified?: boolean }[] {
  const entries: { where: string; ids: readonly string[]; verified?: boolean }[] = [];
  for (const c of files.codes.codes) entries.push({ where: `codes.json code ${c.code}`, ids: c.citations, verified: c.verified });
  for (const m of files.codes.modifiers) entries.push({ where: `codes.json modifier ${m.code}`, ids: m.citations, verified: m.verified });
  for (const payer of files.payers) {
    entries.push({ where: `payer '${payer.id}' coverage`, ids: payer.coverage.citations, verified: payer.coverage.verified });
    for (const [name, rule] of Object.entries(payer.rules)) if (rule) entries.push({ where: `payer '${payer.id}' rules.${name}`, ids: rule.citations, verified: rule.verified });
    payer.notes.forEach((note, i) => entries.push({ where: `payer '${payer.id}' notes[${i}]`, ids: note.citations, verified: note.verified }));
    if (payer.history) entries.push({ where: `payer '${payer.id}' history`, ids: payer.history.citations, verified: payer.history.verified });
    payer.rules.therapyThreshold?.amounts.forEach((a, i) => entries.push({ where: `payer '${payer.id}' rules.therapyThreshold.amounts[${i}]`, ids: a.citations, verified: a.verified }));
  }
  entries.push({ where: 'icd10.json', ids: files.icd10.citations });
  for (const b of files.icd10.blocks) entries.push({ where: `icd10.json block ${b.id}`, ids: b.citations, verified: b.confirmed });
  for (const c of files.icd10.codes) if (c.citations) entries.push({ where: `icd10.json ${c.code}`, ids: c.citations });
  entries.push({ where: 'state-scope.json', ids: files.stateScope.citations, verified: files.stateScope.verified });
  for (const st of files.stateScope.states) if (st.citations) entries.push({ where: `state-scope.json ${st.state}`, ids: st.citations, ...(st.verified !== undefined ? { verified: st.verified } : {}) });
  entries.push({ where: 'outcome-measures.json pain', ids: files.outcomeMeasures.pain.citations });
  for (const i of files.outcomeMeasures.instruments) entries.push({ where: `outcome-measures.json ${i.id}`, ids: i.citations });
  for (const i of files.outcomeMeasures.instruments) {
    if (i.scoring) entries.push({ where: `outcome-measures.json ${i.id} scoring`, ids: i.scoring.citations, verified: i.scoring.verified });
    if (i.scoring?.itemLabelsCitations) entries.push({ where: `outcome-measures.json ${i.id} scoring.itemLabels`, ids: i.scoring.itemLabelsCitations });
    if (i.mcid) entries.push({ where: `outcome-measures.json ${i.id} mcid`, ids: i.mcid.citations, verified: i.mcid.verified });
  }
  entries.push({ where: 'muscles.json pneumothoraxCitations', ids: files.muscles.pneumothoraxCitations });
  for (const [name, rule] of Object.entries(RULE_SOURCES)) entries.push({ where: `built-in rule ${name}`, ids: rule.citations });
  return entries;
}

/**
 * Every citation id names a source in the registry, and a rule marked verified rests on at least one
 * source that was read (its data cannot claim more than its sources).
 */
function checkCitations(files: ProfileFiles, citations: ReadonlyMap<string, Citation>, problems: string[]): void {
  for (const entry of citingEntries(files)) {
    const unknown = entry.ids.filter((id) => !citations.has(id));
    for (const id of unknown) problems.push(`${entry.where}: citation '${id}' is not in citations.json`);
    if (entry.verified === true && unknown.length === 0 && !entry.ids.some((id) => citations.get(id)?.verified)) {
      problems.push(`${entry.where}: marked verified, but none of its citations (${entry.ids.join(', ') || 'none'}) was verified`);
    }
  }
}

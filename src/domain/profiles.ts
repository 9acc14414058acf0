import type {
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
 * files (a payer's e-stim code and modifiers exist in codes.json, ICD-10 children exist).
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

  for (const payer of files.payers) {
    const estim = payer.rules.unattendedEstimCode?.code;
    if (estim && !codes.has(estim)) problems.push(`payer '${payer.id}': rules.unattendedEstimCode ${estim} is not in codes.json`);
    const used = [
      payer.rules.therapyModifier?.modifier,
      ...(payer.rules.nonCoveredNeedling?.modifiers ?? []),
      ...(payer.rules.nonCoveredNeedling?.optionalModifiers ?? []),
    ];
    for (const m of used) if (m && !modifiers.has(m)) problems.push(`payer '${payer.id}': modifier ${m} is not in codes.json modifiers`);
    if (payer.coverage.status === 'investigational' && !payer.rules.investigational) {
      problems.push(`payer '${payer.id}': coverage.status investigational needs rules.investigational (disclosure and options)`);
    }
    if (payer.coverage.status === 'statutorily-non-covered' && !payer.rules.nonCoveredNeedling) {
      problems.push(`payer '${payer.id}': coverage.status statutorily-non-covered needs rules.nonCoveredNeedling (modifiers and ABN)`);
    }
  }
  for (const entry of files.icd10.codes) {
    for (const child of entry.children ?? []) {
      if (!icd10.has(child)) problems.push(`ICD-10 ${entry.code}: child ${child} is not in icd10.json`);
    }
  }
  const roles = new Set(files.codes.codes.map((c) => c.role));
  for (const role of ['needling', 'estim-attended'] as const) {
    if (!roles.has(role)) problems.push(`codes.json has no code with role ${role}`);
  }

  return { profiles: { files, muscles, codes, modifiers, payers, icd10, states, instruments }, problems };
}

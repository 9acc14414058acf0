// The charting page's state: the visit being charted and what the page knows about it.

import type { Session } from '../domain/types.generated.js';
import type { Catalog, ChartContext, Finding, HistoryEntry, NoteState } from './api-types.js';

/** The saved visit a save amends (its id and the version this page last read). */
export interface Amend {
  procedureId: string;
  versionId: string;
}

export interface PageState {
  /** Where the saved visit's note stands. */
  note: NoteState;
  history: readonly HistoryEntry[];
  /** The live panel's last findings. */
  findings: readonly Finding[];
  /** Changed since the last save. */
  dirty: boolean;
  signMode: 'sign' | 'addendum';
  catalog: Catalog | null;
  context: ChartContext | null;
  session: Session | null;
  amend: Amend | null;
  /** Field paths carried forward from the last visit and not yet changed or confirmed. */
  copied: string[];
  /** That visit's date in words. */
  copiedFrom: string;
  draftKey: string;
  previewTimer: number;
  draftTimer: number;
  previewSeq: number;
}

export const state: PageState = { note: 'none', history: [], findings: [], dirty: false, signMode: 'sign', catalog: null, context: null, session: null, amend: null, copied: [], copiedFrom: '', draftKey: '', previewTimer: 0, draftTimer: 0, previewSeq: 0 };

/** The visit being charted (the page has started). */
export function session(): Session {
  if (!state.session) throw new Error('No visit is open');
  return state.session;
}

/** The catalog (the page has started). */
export function catalog(): Catalog {
  if (!state.catalog) throw new Error('The catalog is not loaded');
  return state.catalog;
}

/** The chart context (the page has started). */
export function context(): ChartContext {
  if (!state.context) throw new Error('The chart is not loaded');
  return state.context;
}

/** A muscle's name in words. */
export function muscleLabel(id: string): string {
  return catalog().muscles.find((m) => m.id === id)?.display ?? id;
}

// Drafts survive a reload or a lost connection, in two places: this device's storage (survives a lost
// connection) and the server (survives a reload where the browser refuses the page any storage, as
// Chromium does inside a third-party EHR iframe).

import type { Session } from '../domain/types.generated.js';
import { $, api } from './dom.js';
import { state, type Amend } from './state.js';

/** What a draft keeps. */
export interface Draft {
  session: Session;
  amend: Amend | null;
  copied?: string[];
  copiedFrom?: string;
  savedAt: number;
}

function deviceStorage(): Storage | null {
  try {
    const s = window.localStorage;
    s.setItem('nc-probe', '1');
    s.removeItem('nc-probe');
    return s;
  } catch {
    return null;
  }
}

/** Keeps the draft on this device at once and on the server shortly after. */
export function saveDraft(): void {
  if (!state.session) return;
  const draft: Draft = { session: state.session, amend: state.amend, copied: state.copied, copiedFrom: state.copiedFrom, savedAt: Date.now() };
  const device = deviceStorage();
  if (device) {
    try {
      device.setItem(state.draftKey, JSON.stringify(draft));
    } catch {
      /* quota: the server copy still holds it */
    }
  }
  clearTimeout(state.draftTimer);
  state.draftTimer = window.setTimeout(() => {
    api('/api/draft', { method: 'PUT', body: JSON.stringify(draft) })
      .then((r) => { $('draft-status').textContent = r.ok ? 'Draft kept.' : device ? 'Draft kept on this device.' : 'Draft could not be kept.'; })
      .catch(() => { $('draft-status').textContent = device ? 'Offline: draft kept on this device.' : 'Offline: keep this page open.'; });
  }, 400);
  $('draft-status').textContent = device ? 'Draft kept on this device.' : 'Keeping the draft…';
}

/** The newer of this device's draft and the server's. */
export async function loadDraft(): Promise<Draft | null> {
  let local: Draft | null = null;
  try {
    const raw = deviceStorage()?.getItem(state.draftKey);
    local = raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    local = null;
  }
  const remote = await api('/api/draft').then((r) => (r.status === 200 ? (r.json() as Promise<Draft>) : null)).catch(() => null);
  const newer = local && remote ? (local.savedAt >= remote.savedAt ? local : remote) : local ?? remote;
  if (newer) migrateRom(newer.session);
  return newer;
}

/** A draft kept before range of motion carried its unit (preDegrees/postDegrees) opens as pre/post in degrees. */
function migrateRom(session: Session): void {
  for (const r of (session.outcomes?.rom ?? []) as unknown as Record<string, unknown>[]) {
    if (!('preDegrees' in r) && !('postDegrees' in r)) continue;
    r.pre ??= r.preDegrees;
    r.post ??= r.postDegrees;
    r.unit ??= 'degrees';
    delete r.preDegrees;
    delete r.postDegrees;
  }
}

/** Forgets this device's draft (the visit was saved, or the clinician signed out). */
export function clearDraft(): void {
  try {
    deviceStorage()?.removeItem(state.draftKey);
  } catch {
    /* nothing kept */
  }
  clearTimeout(state.draftTimer);
}

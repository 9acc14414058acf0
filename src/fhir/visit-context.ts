import { createHash } from 'node:crypto';
import type { Session } from '../domain/types.generated.js';

/** Where a session is written: the chart it belongs to and the visit's stable key. */
export interface VisitTarget {
  /** `Patient/<id>` */
  readonly patient: string;
  /** `Encounter/<id>` */
  readonly encounter: string;
}

/**
 * The visit's idempotency key: what cannot change while a visit is charted, its patient, encounter
 * and performer (DESIGN.md: one visit per patient, encounter and performer). Not the time: after a
 * lost response, a save with an edited time is a retry of the same visit (answered `unchanged`, or
 * refused so it is amended), never a second visit.
 */
export function visitKey(session: Pick<Session, 'performer'>, target: VisitTarget): string {
  const digest = createHash('sha256').update([target.patient, target.encounter, session.performer.reference].join('\n')).digest('hex');
  return `nc-${digest.slice(0, 32)}`;
}

/** A urn:uuid placeholder for a bundle entry, derived from the key so a bundle is reproducible. */
export function placeholder(key: string, role: string): string {
  const h = createHash('sha256').update(`${key}/${role}`).digest('hex');
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

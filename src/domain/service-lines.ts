import { advise } from './advice.js';
import { combineSources, sourcesOf } from './citations.js';
import { listed, warning, type LineDraft } from './coding-drafts.js';
import type { CodingWarning } from './coding-types.js';
import { inForce } from './in-force.js';
import type { CodeEntry, Profiles } from './profiles.js';
import type { TimedMinutes, TimedUnits } from './timed-units.js';
import type { Session } from './types.generated.js';

type Service = NonNullable<Session['services']>[number];

/** What a service is in a person's words: the code table's short description, without the unit phrase. */
function serviceName(entry: CodeEntry): string {
  const name = entry.short.replace(/,? per 15 minutes$/, '').replace(/ \(untimed, one per visit\)$/, '');
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The session's other services whose code was in the table as an other service on the date of service; the rest get a warning. */
export function servicesInForce(session: Session, profiles: Profiles, date: string, warnings: CodingWarning[]): { service: Service; index: number; entry: CodeEntry }[] {
  const kept: { service: Service; index: number; entry: CodeEntry }[] = [];
  (session.services ?? []).forEach((service, index) => {
    const entry = profiles.codes.get(service.code);
    // The schema's `services` catalog admits only other services; a clinic's older session may still name another code.
    if (!entry || entry.role !== 'other-service') return;
    if (!inForce(entry, date)) {
      warnings.push(warning('code-not-in-force', `${entry.code} was not in NeedleChart's code table on this date of service: it is kept in the record but not suggested.`, sourcesOf(profiles.cite, entry), `services[${index}].code`));
      return;
    }
    kept.push({ service, index, entry });
  });
  return kept;
}

/** The timed minutes the other services add to the visit's total (the untimed ones add none). */
export function timedMinutesOf(services: readonly { service: Service; entry: CodeEntry }[]): TimedMinutes[] {
  return services.filter((s) => s.entry.timed).map((s) => ({ code: s.entry.code, minutes: s.service.minutes }));
}

/** "; the visit's timed services add up to 51 minutes, 3 units in all": said only when more than one timed code shares the total. */
export function visitTotal(timed: TimedUnits): string {
  return timed.byCode.size > 1 ? `; the visit's timed services add up to ${timed.totalMinutes} minutes, ${timed.totalUnits} unit${timed.totalUnits === 1 ? '' : 's'} in all` : '';
}

/**
 * One claim line per other service of the visit (97140, 97110, 97112, 97530, 97035 timed; 97010 untimed):
 * timed lines take their share of the visit's timed units (timed-units.ts), untimed lines one unit.
 */
export function otherServiceLines(services: readonly { service: Service; index: number; entry: CodeEntry }[], timed: TimedUnits, profiles: Profiles): LineDraft[] {
  const lines: LineDraft[] = [];
  const seen = new Set<string>();
  for (const { service, entry } of services) {
    if (seen.has(entry.code)) continue;
    seen.add(entry.code);
    const name = serviceName(entry);
    if (!entry.timed) {
      const sources = sourcesOf(profiles.cite, entry);
      lines.push({ entry, units: 1, billable: true, needling: false, sources, rationale: advise(`The patient had ${name}: an untimed service, one unit for the visit whatever its minutes.`, sources.verified) });
      continue;
    }
    const share = timed.byCode.get(entry.code) ?? { minutes: service.minutes, units: 0 };
    const sources = combineSources(profiles.cite, [sourcesOf(profiles.cite, entry), profiles.rules.timedUnitsShare]);
    const units = share.units;
    const why = units > 0
      ? `${name} for ${share.minutes} minutes takes ${units} unit${units === 1 ? '' : 's'} of ${entry.code}${visitTotal(timed)}: each timed service keeps a unit for each full 15 minutes of its own, and the units left go to the services with the most minutes left.`
      : `${name} for ${share.minutes} minutes takes no unit of ${entry.code}${visitTotal(timed)}: its minutes count toward the total, and the units went to the services with more minutes.`;
    lines.push({ entry, units, billable: units > 0, needling: false, sources, rationale: advise(why.charAt(0).toUpperCase() + why.slice(1), sources.verified) });
  }
  return lines;
}

/** The muscle catalog's region ids in a person's words. */
const REGION_WORDS: Record<string, string> = {
  'head-jaw': 'head and jaw',
  'upper-arm': 'upper arm',
  'forearm-hand': 'forearm and hand',
  lumbopelvic: 'low back and pelvis',
};

/**
 * 97140 with 20560 or 20561 on the same day: the correct-coding edit pairs them. 59 or XS is suggested
 * only when manual therapy was applied in a region apart from every needled muscle's region (the muscle
 * catalog's regions), and only as advice: the edit tables themselves were not read.
 */
export function manualTherapyEditWarnings(session: Session, services: readonly { service: Service; index: number; entry: CodeEntry }[], needling: CodeEntry | undefined, profiles: Profiles, warnings: CodingWarning[]): void {
  // The edit pairs 97140 with the dry-needling codes (role needling), not with the unlisted 20999 used before them.
  if (needling?.role !== 'needling') return;
  const needlingCode = needling.code;
  const needled = new Set<string>();
  for (const m of session.muscles) {
    const region = profiles.muscles.get(m.muscle)?.region;
    if (region) needled.add(region);
  }
  const rules = profiles.rules.manualTherapyWithNeedling;
  for (const { service, index, entry } of services) {
    if (entry.code !== '97140') continue;
    const regions = service.regions ?? [];
    const shared = regions.filter((r) => needled.has(r));
    const apart = regions.filter((r) => !needled.has(r));
    const label = (ids: readonly string[]) => listed(ids.map((r) => REGION_WORDS[r] ?? r));
    const pair = `Manual therapy (97140) and dry needling (${needlingCode}) on the same day are paired by the correct-coding edits`;
    let message: string;
    if (regions.length === 0) {
      message = `${pair}: record where manual therapy was applied. Only manual therapy in a region apart from the needling may carry 59 or XS.`;
    } else if (shared.length === 0) {
      message = `${pair}. Manual therapy was applied to the ${label(apart)}, apart from the needling: 59, or XS for a separate structure, may be added to 97140 when the note shows the distinct region.`;
    } else {
      const also = apart.length ? ` Only the manual therapy to the ${label(apart)} was apart from it and may carry 59 or XS, with its own minutes in the note.` : ' 59 and XS do not fit: they mark a distinct region, not the one needled.';
      message = `${pair}. Manual therapy to the ${label(shared)} was in the region needled: it is not separately payable there.${also}`;
    }
    warnings.push(warning('manual-therapy-with-needling', message, rules, `services[${index}]`));
  }
}

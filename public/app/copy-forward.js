// Copy-forward without cloning (issue 13, item 4): what repeats from visit to visit is carried into
// today's visit, today's facts never are. Pure functions, no DOM: app.js marks the copied fields.

/** E-stim parameters that repeat; the justification of attended e-stim is today's. */
const ESTIM_REPEATS = ['applied', 'attended', 'minutes', 'frequencyHz', 'waveform', 'intensity'];
/** Needle facts that repeat; whether the needles were counted in and out is today's. */
const NEEDLE_REPEATS = ['type', 'diameterMm', 'lengthMm'];
/** Stable facts of medical necessity; how long it has lasted and what the patient cannot do today are today's. */
const NECESSITY_REPEATS = ['chiefComplaint', 'onsetDate', 'goal'];
const PLAN_OF_CARE = ['date', 'visitsPerWeek', 'weeks', 'certifiedBy'];

const present = (value) => value !== undefined && value !== null && value !== '';

/**
 * Today's session with last visit's repeating parts copied in, and the field paths copied (a row is
 * one path, such as `muscles[0]`). Copied: payer and billing, diagnoses, needle (not its count),
 * muscles (not their palpation findings), e-stim parameters (not the justification), the plan-of-care
 * reference, the stable facts of necessity (complaint, onset date, prior care, goal) and the other
 * services' codes and regions (not their minutes). Never copied: consent, screening, outcomes,
 * response, plan, goal progress, adverse events, ABN and waiver dates, clean technique; today's
 * values of those stay as they are.
 */
export function copyForwardInto(today, last) {
  const s = structuredClone(today);
  const copied = [];
  const take = (path, value) => {
    if (present(value)) copied.push(path);
    return value;
  };

  s.payer = take('payer', last.payer) ?? s.payer;
  s.billing = take('billing', last.billing) ?? s.billing;
  s.diagnoses = (last.diagnoses ?? []).map((d) => ({ ...d }));
  if (s.diagnoses.length) copied.push('diagnoses');

  s.needle = { ...(today.needle ?? {}) };
  for (const key of NEEDLE_REPEATS) if (present(last.needle?.[key])) s.needle[key] = take(`needle.${key}`, last.needle[key]);

  s.muscles = (last.muscles ?? []).map(({ exam: _today, ...m }, i) => {
    copied.push(`muscles[${i}]`);
    return structuredClone(m);
  });

  const justification = today.estim?.justification;
  s.estim = { applied: false };
  if (last.estim) {
    for (const key of ESTIM_REPEATS) if (present(last.estim[key])) s.estim[key] = take(`estim.${key}`, last.estim[key]);
    if (last.estim.muscles?.length) {
      s.estim.muscles = last.estim.muscles.map((m) => ({ ...m }));
      copied.push('estim.muscles');
    }
  }
  if (justification) s.estim.justification = justification;

  if (last.planOfCare) {
    s.planOfCare = { ...(today.planOfCare ?? {}) };
    for (const key of PLAN_OF_CARE) if (present(last.planOfCare[key])) s.planOfCare[key] = take(`planOfCare.${key}`, last.planOfCare[key]);
  }

  if (last.necessity) {
    const necessity = { ...(today.necessity ?? {}) };
    for (const key of NECESSITY_REPEATS) if (present(last.necessity[key])) necessity[key] = take(`necessity.${key}`, last.necessity[key]);
    if (last.necessity.priorCare?.length) {
      necessity.priorCare = last.necessity.priorCare.map((p, i) => {
        copied.push(`necessity.priorCare[${i}]`);
        return { ...p };
      });
    }
    s.necessity = necessity;
  }

  if (last.services?.length) {
    s.services = last.services.map((service, i) => {
      copied.push(`services[${i}]`);
      return { code: service.code, ...(service.regions?.length ? { regions: [...service.regions] } : {}) };
    });
  }
  return { session: s, copied };
}

/**
 * A visit's date in words, as the note on the page says it: "Friday, November 13" (with the year
 * when it is not this year). The day is the visit's own calendar day, whatever the browser's zone.
 */
export function dateInWords(iso, now = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso ?? '');
  if (!m) return 'the last visit';
  const year = Number(m[1]);
  const day = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  const options = { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric', ...(year !== now.getFullYear() ? { year: 'numeric' } : {}) };
  return new Intl.DateTimeFormat('en-US', options).format(day);
}

/** Copied paths kept after the row `listPath[index]` is removed: that row's mark goes, later rows move up one. */
export function copiedAfterRemoving(copied, listPath, index) {
  const prefix = `${listPath}[`;
  return copied.flatMap((path) => {
    if (!path.startsWith(prefix)) return [path];
    const rest = path.slice(prefix.length);
    const close = rest.indexOf(']');
    const i = Number(rest.slice(0, close));
    if (i === index) return [];
    return [i > index ? `${prefix}${i - 1}${rest.slice(close)}` : path];
  });
}

/** Copied paths kept once the field at `path` is changed: its own mark, and the mark of the row or group holding it, go. */
export function copiedAfterTouching(copied, path) {
  return copied.filter((c) => !(path === c || path.startsWith(`${c}.`) || path.startsWith(`${c}[`)));
}

/**
 * Removes blank strings, empty objects and empty arrays, deeply, so a field nobody filled in is not
 * sent (an untouched form sends no `necessity: {}`). Returns undefined when nothing is left.
 */
export function pruneEmpty(value) {
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (Array.isArray(value)) {
    const kept = value.map(pruneEmpty).filter((v) => v !== undefined);
    return kept.length ? kept : undefined;
  }
  if (value && typeof value === 'object') {
    const kept = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pruneEmpty(v)]).filter(([, v]) => v !== undefined));
    return Object.keys(kept).length ? kept : undefined;
  }
  return value;
}

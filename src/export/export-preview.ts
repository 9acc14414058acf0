import type { ExportPreview } from './export-preview-types.js';
import type { FhirGateway } from '../fhir/client.js';
import type { Core } from '../service/core.js';
import type { ExportFilters } from './export-filters.js';
import { serviceDay } from './service-day.js';
import { selectVisit } from './visit-selection.js';
import { visitPages } from './visit-source.js';

export type { ExportPreview } from './export-preview-types.js';

/**
 * Counts what runExport will put in the packet for `filters`, without reading patients or rendering
 * anything: the same Procedure search (visit-source.ts visitPages) and the same decision per visit
 * (visit-selection.ts selectVisit), so the count shown before the export is the packet's. Read with
 * the gateway the export itself uses, so both see the same records.
 */
export async function previewExport(gateway: FhirGateway, filters: ExportFilters, core: Pick<Core, 'profiles' | 'timeZone'>, pageSize = 100): Promise<ExportPreview> {
  let visits = 0;
  let drafts = 0;
  let unsigned = 0;
  let notIncluded = 0;
  const patients = new Set<string>();
  let firstDay: string | undefined;
  let lastDay: string | undefined;
  for await (const page of visitPages(gateway, filters, pageSize)) {
    for (const record of page.visits) {
      const verdict = selectVisit(record, filters, core);
      if (!verdict.included) {
        if (verdict.reason === 'unsigned') unsigned += 1;
        if (verdict.reason === 'not-ours') notIncluded += 1;
        continue;
      }
      visits += 1;
      if (verdict.draft) drafts += 1;
      patients.add(record.procedure.subject.reference ?? '');
      const day = serviceDay(verdict.session.date, core.timeZone);
      if (!firstDay || day < firstDay) firstDay = day;
      if (!lastDay || day > lastDay) lastDay = day;
    }
  }
  return { visits, patients: patients.size, drafts, unsigned, notIncluded, ...(firstDay ? { firstDay } : {}), ...(lastDay ? { lastDay } : {}) };
}

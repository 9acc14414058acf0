// The count shown before an export starts, as POST /api/exports/preview answers it: a plain type with
// no imports, so the compliance page (src/web/compliance.ts) is typed from the same declaration.

/** What an export with these filters will hold, told before it starts. */
export interface ExportPreview {
  /** Visits the packet will hold (signed ones; drafts too, stamped DRAFT, when asked for). */
  readonly visits: number;
  readonly patients: number;
  /** Of `visits`, those whose note is not signed (only when drafts are asked for). */
  readonly drafts: number;
  /** Visits left out because their note is not signed (drafts not asked for). */
  readonly unsigned: number;
  /** Dry-needling visits charted outside NeedleChart: listed for staff, not in the packet. */
  readonly notIncluded: number;
  /** First and last dates of service among the visits, YYYY-MM-DD in the clinic's zone; absent when there are none. */
  readonly firstDay?: string;
  readonly lastDay?: string;
}

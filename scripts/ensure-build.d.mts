/** Whether dist/ holds a build of the current sources. */
export function buildIsCurrent(): boolean;
/** Builds dist/ when missing or stale (or always with `force`); returns a message when it cannot. */
export function ensureBuilt(options?: { quiet?: boolean; force?: boolean }): string | undefined;

/**
 * The object without its undefined values: a record rebuilt from optional parts has no key its source
 * did not have (a session read back compares equal to the one charted). Pure.
 */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

// Field paths such as `muscles[0].twitch.count`: every form control names the field it edits.

type Key = string | number;
type Node = Record<Key, unknown>;

/** `a[0].b` → ['a', 0, 'b']. */
export function splitPath(path: string): Key[] {
  return path.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** The value at `path`, or undefined when any step is missing. */
export function getPath(obj: unknown, path: string): unknown {
  return splitPath(path).reduce<unknown>((node, key) => (node == null ? undefined : (node as Node)[key]), obj);
}

/** Sets the value at `path`, creating objects and arrays on the way; undefined deletes the field. */
export function setPath(obj: unknown, path: string, value: unknown): void {
  const keys = splitPath(path);
  let node = obj as Node;
  keys.slice(0, -1).forEach((key, i) => {
    if (node[key] == null) node[key] = typeof keys[i + 1] === 'number' ? [] : {};
    node = node[key] as Node;
  });
  const last = keys[keys.length - 1];
  if (last === undefined) return;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

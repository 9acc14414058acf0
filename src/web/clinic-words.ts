// The server's validation messages name the field by its path ("muscles must have at least 1 entry");
// the page says them in a therapist's words, naming the field by the label it has on screen.

/** Lists whose emptiness has its own sentence. */
const AT_LEAST_ONE: Readonly<Record<string, string>> = {
  muscles: 'Add at least one muscle.',
  diagnoses: 'Choose at least one diagnosis.',
};

/** Row lists and what one row is called. */
const ROW_WORDS: Readonly<Record<string, string>> = {
  muscles: 'muscle',
  'outcomes.rom': 'range of motion',
  'outcomes.measures': 'questionnaire score',
  adverseEvents: 'adverse event',
  services: 'service',
  'necessity.priorCare': 'care tried before',
  diagnoses: 'diagnosis',
};

/** "retentionSeconds" → "retention seconds". */
function words(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_.]/g, ' ').toLowerCase();
}

/** The label a field has on screen, or its name in words. */
export function fieldName(path: string, root: ParentNode = document): string {
  const control = root.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
  const aria = control?.getAttribute('aria-label');
  if (aria) return aria;
  const label = control?.closest('label');
  if (label) {
    const text = [...label.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join(' ').trim();
    if (text) return text;
  }
  const row = /^(.*)\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (row) {
    const [, list = '', index = '0', rest] = row;
    const item = `${ROW_WORDS[list] ?? words(list)} ${Number(index) + 1}`;
    return rest ? `${words(rest)} of ${item}` : item;
  }
  return words(path.split('.').pop() ?? path);
}

/** One message in a therapist's words. */
export function inClinicWords(path: string, message: string, root: ParentNode = document): string {
  if (!path || !message.startsWith(path)) return message;
  const rest = message.slice(path.length).trim();
  if (/^must have at least 1 entry$/.test(rest)) return AT_LEAST_ONE[path] ?? `Add at least one ${ROW_WORDS[path] ?? words(path)}.`;
  const name = fieldName(path, root);
  if (rest === 'is required') return `Fill in “${name}”.`;
  const sentence = `${name.charAt(0).toUpperCase()}${name.slice(1)} ${rest}`;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

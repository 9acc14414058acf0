// The server's validation messages name the field by its path ("muscles must have at least 1 entry");
// the page says them in a therapist's words, naming the field by the label it has on screen. Pure:
// the caller passes how a field is named (field-label.ts reads the page).

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

/** "retentionSeconds" → "retention seconds"; a questionnaire's "answers[4]" → "answer to item 5". */
function words(key: string): string {
  const item = /^(answers|activities)\[(\d+)\]$/.exec(key);
  if (item) return item[1] === 'answers' ? `answer to item ${Number(item[2]) + 1}` : `activity ${Number(item[2]) + 1}`;
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[-_.]/g, ' ').toLowerCase();
}

/** A field's name in words from its path alone: "muscles[1].retentionSeconds" → "retention seconds of muscle 2". */
export function pathInWords(path: string): string {
  const row = /^(.*?)\[(\d+)\](?:\.(.*))?$/.exec(path);
  if (row) {
    const [, list = '', index = '0', rest] = row;
    const item = `${ROW_WORDS[list] ?? words(list)} ${Number(index) + 1}`;
    return rest ? `${words(rest)} of ${item}` : item;
  }
  return words(path.split('.').pop() ?? path);
}

/**
 * One validation message in a therapist's words: the path at its start becomes the field's name
 * (`nameOf`, by default from the path), "is required" becomes "Fill in …", an empty list asks for an entry.
 * A message that does not start with its path is already in words and is kept.
 */
export function inClinicWords(path: string, message: string, nameOf: (path: string) => string = pathInWords): string {
  if (!path || !message.startsWith(path)) return message;
  const rest = message.slice(path.length).trim();
  if (/^must have at least 1 entry$/.test(rest)) return AT_LEAST_ONE[path] ?? `Add at least one ${ROW_WORDS[path] ?? words(path)}.`;
  const name = nameOf(path);
  if (rest === 'is required') return `Fill in “${name}”.`;
  const sentence = `${name.charAt(0).toUpperCase()}${name.slice(1)} ${rest}`;
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

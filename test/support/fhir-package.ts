import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The JSON files of a FHIR package (.tgz, the npm-style package format the FHIR registry publishes),
 * by path inside the archive (`package/StructureDefinition-….json`). The archive is a plain ustar
 * tarball: 512-byte headers (name, octal size, type), each followed by its data padded to 512 bytes.
 */
export function readFhirPackage(file: string): Map<string, unknown> {
  const tar = gunzipSync(readFileSync(file));
  const files = new Map<string, unknown>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '').trim();
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(124, 12) || '0', 8);
    const type = field(156, 1);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if ((type === '' || type === '0') && name.endsWith('.json')) files.set(name, JSON.parse(data.toString('utf8').replace(/^\uFEFF/, '')) as unknown);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

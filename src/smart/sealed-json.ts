import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Encrypts values at rest (tokens in the session store) as JWE, `dir` + A256GCM, with jose — never
 * home-made crypto. The key is the 32-byte session secret.
 */
export class SealedJson {
  private readonly key: Uint8Array;

  constructor(secret: Uint8Array) {
    if (secret.length < 32) throw new Error('The session secret must be at least 32 bytes');
    this.key = secret.slice(0, 32);
  }

  async seal(value: unknown): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(value))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(this.key);
  }

  async open<T>(sealed: string): Promise<T> {
    const { plaintext } = await compactDecrypt(sealed, this.key);
    return JSON.parse(new TextDecoder().decode(plaintext)) as T;
  }
}

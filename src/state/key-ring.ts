import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** An encrypted value as stored: AES-256-GCM, the key id, and the record id bound in as associated data. */
export interface Sealed {
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export class KeyRingError extends Error {
  override readonly name = 'KeyRingError';
}

export interface KeySpec {
  id: string;
  /** At least 32 characters; the AES key is derived with HKDF-SHA256. */
  secret: string;
}

export function isSealed(value: unknown): value is Sealed {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sealed).kid === 'string' &&
    typeof (value as Sealed).iv === 'string' &&
    typeof (value as Sealed).ct === 'string' &&
    typeof (value as Sealed).tag === 'string'
  );
}

/** The first key encrypts; every key decrypts. */
export class KeyRing {
  private readonly keys = new Map<string, Buffer>();
  readonly primaryId: string;

  constructor(specs: KeySpec[]) {
    const first = specs[0];
    if (first === undefined) throw new KeyRingError('encryption.keys: at least one key is required');
    for (const [i, spec] of specs.entries()) {
      if (spec.secret.length < 32)
        throw new KeyRingError(`encryption.keys[${i}].secret: must be at least 32 characters`);
      if (this.keys.has(spec.id)) throw new KeyRingError(`encryption.keys[${i}].id: duplicate key id "${spec.id}"`);
      const key = Buffer.from(hkdfSync('sha256', spec.secret, 'omnibroker', `aes-256-gcm:${spec.id}`, 32));
      this.keys.set(spec.id, key);
    }
    this.primaryId = first.id;
  }

  seal(value: unknown, associatedData: string): Sealed {
    const key = this.keys.get(this.primaryId) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return {
      kid: this.primaryId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  open<T = unknown>(sealed: Sealed, associatedData: string): T {
    const key = this.keys.get(sealed.kid);
    if (key === undefined) {
      throw new KeyRingError(
        `record ${associatedData} is encrypted with key "${sealed.kid}", which is not in encryption.keys`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch (cause) {
      throw new KeyRingError(`record ${associatedData}: ciphertext failed authentication (tampered, or wrong key)`, {
        cause,
      });
    }
  }

  /** Re-encrypts with the primary key when sealed with another one; returns undefined if already current. */
  reseal(sealed: Sealed, associatedData: string): Sealed | undefined {
    if (sealed.kid === this.primaryId) return undefined;
    return this.seal(this.open(sealed, associatedData), associatedData);
  }
}

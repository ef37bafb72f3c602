import { describe, expect, it } from 'vitest';
import { KeyRing } from '../../src/state/key-ring.ts';

const k1 = { id: 'k1', secret: 'first-secret-that-is-at-least-32-characters' };
const k2 = { id: 'k2', secret: 'second-secret-that-is-at-least-32-characters' };

describe('KeyRing', () => {
  it('seals with the first key and opens with any', () => {
    const old = new KeyRing([k1]);
    const sealed = old.seal({ password: 'hunter2' }, 'binding:a/b#credentials');
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    const rotated = new KeyRing([k2, k1]);
    expect(rotated.open(sealed, 'binding:a/b#credentials')).toEqual({ password: 'hunter2' });
    const resealed = rotated.reseal(sealed, 'binding:a/b#credentials');
    expect(resealed?.kid).toBe('k2');
    expect(new KeyRing([k2]).open(resealed!, 'binding:a/b#credentials')).toEqual({ password: 'hunter2' });
    expect(rotated.reseal(resealed!, 'binding:a/b#credentials')).toBeUndefined();
  });

  it('fails clearly on a missing key, a tampered ciphertext and a record mismatch', () => {
    const sealed = new KeyRing([k1]).seal('secret', 'instance:x#secrets');
    expect(() => new KeyRing([k2]).open(sealed, 'instance:x#secrets')).toThrow(
      /encrypted with key "k1", which is not in encryption.keys/,
    );
    const tampered = { ...sealed, ct: Buffer.from('garbage!').toString('base64') };
    expect(() => new KeyRing([k1]).open(tampered, 'instance:x#secrets')).toThrow(/failed authentication/);
    expect(() => new KeyRing([k1]).open(sealed, 'instance:y#secrets')).toThrow(/failed authentication/);
  });

  it('refuses short and duplicate keys', () => {
    expect(() => new KeyRing([{ id: 'a', secret: 'short' }])).toThrow(/at least 32 characters/);
    expect(() => new KeyRing([k1, { ...k2, id: 'k1' }])).toThrow(/duplicate key id/);
  });
});

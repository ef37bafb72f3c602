import { isSealed } from '../state/key-ring.ts';

// The salt keeps hashes of secret parameters unguessable, so it is as private as they are.
const HIDDEN_KEYS = new Set(['salt']);

/** A record as an operator may see it: sealed values replaced by the id of their key, the salt left out. */
export function publicView(value: unknown): unknown {
  if (isSealed(value)) return `[encrypted with key ${value.kid}]`;
  if (Array.isArray(value)) return value.map(publicView);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !HIDDEN_KEYS.has(k))
        .map(([k, v]) => [k, publicView(v)]),
    );
  }
  return value;
}

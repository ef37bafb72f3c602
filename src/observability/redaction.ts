/** Keys whose values never reach a log line, at any depth (compared lower-cased). */
const REDACTED_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'password',
  'secret',
  'secrets',
  'credentials',
  'token',
  'parameters',
]);

const CENSOR = '[redacted]';

/** Logged objects are a few levels deep; anything deeper is censored whole rather than walked. */
const MAX_DEPTH = 8;

const isSensitive = (key: string): boolean => REDACTED_KEYS.has(key) || REDACTED_KEYS.has(key.toLowerCase());

/** Values JSON writes without walking their keys (or that have none). */
function isOpaque(value: object): boolean {
  return ArrayBuffer.isView(value) || typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function clean(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || isOpaque(value)) return value;
  if (depth >= MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const cleaned = clean(item, depth + 1);
      if (cleaned !== item) {
        copy ??= [...value];
        copy[i] = cleaned;
      }
    }
    return copy ?? value;
  }
  return cleanRecord(value as Record<string, unknown>, depth, undefined);
}

function cleanRecord(
  record: Record<string, unknown>,
  depth: number,
  skipKey: string | undefined,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    if (key === skipKey) continue;
    const item = record[key];
    const cleaned = isSensitive(key) ? (item === undefined ? item : CENSOR) : clean(item, depth + 1);
    if (cleaned !== item) {
      copy ??= { ...record };
      copy[key] = cleaned;
    }
  }
  return copy ?? record;
}

/**
 * The value with every sensitive key's value replaced by the censor, at any depth. Copy-on-write: the caller's
 * object is never changed, and a value with nothing to hide is returned as it is (no allocation on the usual line).
 */
export function redacted<T>(value: T): T {
  return clean(value, 0) as T;
}

/** A log line's own fields, except the error, which the `err` serializer redacts after serialising it. */
export function redactedLine(line: Record<string, unknown>, errorKey: string): Record<string, unknown> {
  return cleanRecord(line, 0, errorKey);
}

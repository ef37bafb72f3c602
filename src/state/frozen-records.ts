/** JSON text parsed into a deeply frozen value: readers may share it, and a stray mutation throws at once. */
export function parseFrozen<T>(json: string): T {
  return deepFreeze(JSON.parse(json)) as T;
}

function deepFreeze(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The parsed value of each recently read record, reused while the record's stored text is unchanged: polling
 * reads the same text over and over, and parsing it again cost more than the rest of the read.
 */
export class ParsedRecordCache {
  private readonly entries = new Map<string, { json: string; value: unknown }>();

  /** 2000 covers every record a busy broker polls; each entry is one record's text and its parsed value. */
  constructor(private readonly capacity = 2000) {}

  parse<T>(key: string, json: string): T {
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.json === json) return cached.value as T;
    const value = parseFrozen<T>(json);
    if (cached === undefined && this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { json, value });
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

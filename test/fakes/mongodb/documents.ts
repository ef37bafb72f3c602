import { BSON, type Document, Long, ObjectId } from 'mongodb';
import type { CommandHandler } from './state.ts';

const sameValue = (a: unknown, b: unknown) =>
  Buffer.from(BSON.serialize({ v: a })).equals(Buffer.from(BSON.serialize({ v: b })));

/** Equality on top-level fields only: `{ field: value, ... }`. */
const matches = (document: Document, filter: Document) =>
  Object.entries(filter).every(([field, value]) => sameValue(document[field], value));

export const insert: CommandHandler = ({ state, db, body }) => {
  const namespace = `${db}.${body.insert}`;
  const documents = (body.documents as Document[]).map((d) =>
    d._id === undefined ? { _id: new ObjectId(), ...d } : d,
  );
  state.collections.set(namespace, [...(state.collections.get(namespace) ?? []), ...documents]);
  return { n: documents.length };
};

/** One batch holds the whole result (cursor id 0), so no getMore ever follows. */
export const find: CommandHandler = ({ state, db, body }) => {
  const namespace = `${db}.${body.find}`;
  const found = (state.collections.get(namespace) ?? []).filter((d) => matches(d, (body.filter as Document) ?? {}));
  const limit = typeof body.limit === 'number' && body.limit > 0 ? body.limit : found.length;
  return { cursor: { firstBatch: found.slice(0, limit), id: Long.ZERO, ns: namespace } };
};

import type { Document } from 'mongodb';
import { saslSupportedMechs, speculativeAuthenticate } from './authentication.ts';
import type { CommandHandler, ServerState } from './state.ts';

/** MongoDB 8.0, the server of the chart versions in the fixture index. */
const MAX_WIRE_VERSION = 25;
const VERSION = [8, 0, 5];
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

// No topologyVersion: the drivers then poll hello instead of streaming it (as against servers before 4.4).
function topology(state: ServerState): Document {
  const set = state.replicaSet;
  if (set === undefined) return {};
  return { setName: set.name, setVersion: 1, hosts: [set.me], primary: set.me, me: set.me, secondary: false };
}

/** `hello`, and the legacy `isMaster`/`ismaster` that drivers send first (over OP_QUERY) before they know the server. */
export const hello =
  (legacy: boolean): CommandHandler =>
  (context) => ({
    [legacy ? 'ismaster' : 'isWritablePrimary']: true,
    ...(context.body.helloOk === true ? { helloOk: true } : {}),
    ...topology(context.state),
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connection.id,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ...saslSupportedMechs(context),
    ...speculativeAuthenticate(context),
  });

export const ping: CommandHandler = () => ({});

export const buildInfo: CommandHandler = () => ({
  version: VERSION.join('.'),
  versionArray: [...VERSION, 0],
  bits: 64,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
});

// Sessions hold nothing here: ending them is a no-op that must still succeed.
export const endSessions: CommandHandler = () => ({});

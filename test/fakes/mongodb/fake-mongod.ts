import { createServer, type Socket } from 'node:net';
import { runCommand } from './commands.ts';
import type { Connection, ServerState } from './state.ts';
import { addUser } from './users.ts';
import { encodeReply, MessageReader } from './wire.ts';

export interface FakeMongod {
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface FakeMongodOptions {
  /** The user the chart creates on `admin` with role `root`. */
  root: { user: string; password: string };
  /** Play the primary of a one-member replica set of this name instead of a standalone server. */
  replicaSet?: string;
}

/**
 * A mongod speaking the wire protocol (OP_MSG, plus the OP_QUERY handshake) on 127.0.0.1 with access control on:
 * SCRAM-SHA-256 logins, users with roles, and documents kept in memory.
 */
export async function startFakeMongod(options: FakeMongodOptions): Promise<FakeMongod> {
  const state: ServerState = { users: new Map(), collections: new Map() };
  await addUser(state, {
    user: options.root.user,
    db: 'admin',
    password: options.root.password,
    roles: [{ role: 'root', db: 'admin' }],
  });
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const connection: Connection = { id: ++connections };
    const reader = new MessageReader();
    // Commands on one connection are answered in order, as mongod does.
    let previous = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      let requests: ReturnType<MessageReader['push']>;
      try {
        requests = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const request of requests) {
        previous = previous.then(async () => {
          const reply = await runCommand({ state, connection }, request);
          if (!request.noReply && !socket.destroyed) socket.write(encodeReply(request, reply));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake mongod has no TCP address');
  if (options.replicaSet !== undefined)
    state.replicaSet = { name: options.replicaSet, me: `127.0.0.1:${address.port}` };
  return {
    host: '127.0.0.1',
    port: address.port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import type { Document } from 'mongodb';
import { saslContinue, saslStart } from './authentication.ts';
import { CommandError } from './command-error.ts';
import { find, insert } from './documents.ts';
import { buildInfo, endSessions, hello, ping } from './handshake.ts';
import { type Action, allows } from './roles.ts';
import type { CommandContext, CommandHandler } from './state.ts';
import { createUser, dropUser, updateUser, usersInfo } from './users.ts';
import { OP_QUERY, type WireRequest } from './wire.ts';

/** Each command with the action its caller needs on the command's database (`undefined`: none, not even a login). */
const COMMANDS = new Map<string, { handler: CommandHandler; requires: Action | undefined }>([
  ['hello', { handler: hello(false), requires: undefined }],
  ['isMaster', { handler: hello(true), requires: undefined }],
  ['ismaster', { handler: hello(true), requires: undefined }],
  ['ping', { handler: ping, requires: undefined }],
  ['buildInfo', { handler: buildInfo, requires: undefined }],
  ['endSessions', { handler: endSessions, requires: undefined }],
  ['saslStart', { handler: saslStart, requires: undefined }],
  ['saslContinue', { handler: saslContinue, requires: undefined }],
  ['createUser', { handler: createUser, requires: 'manageUsers' }],
  ['updateUser', { handler: updateUser, requires: 'manageUsers' }],
  ['dropUser', { handler: dropUser, requires: 'manageUsers' }],
  ['usersInfo', { handler: usersInfo, requires: 'manageUsers' }],
  ['insert', { handler: insert, requires: 'insert' }],
  ['find', { handler: find, requires: 'find' }],
]);

/** Since 5.1 mongod takes OP_QUERY only for the handshake. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

function authorize({ state, connection, db, body }: CommandContext, name: string, action: Action): void {
  const user = connection.principal === undefined ? undefined : state.users.get(connection.principal);
  if (user === undefined) throw new CommandError(13, `Command ${name} requires authentication`);
  if (!allows(user.roles, action, db)) {
    throw new CommandError(13, `not authorized on ${db} to execute command { ${name}: ${JSON.stringify(body[name])} }`);
  }
}

/** One command's reply document: its result with `ok: 1`, or mongod's error shape. */
export async function runCommand(
  context: Omit<CommandContext, 'db' | 'body'>,
  request: WireRequest,
): Promise<Document> {
  const name = Object.keys(request.body)[0] ?? '';
  const full: CommandContext = { ...context, db: request.db, body: request.body };
  try {
    if (request.opCode === OP_QUERY && !OP_QUERY_COMMANDS.has(name)) {
      throw new CommandError(
        352,
        `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`,
      );
    }
    const command = COMMANDS.get(name);
    if (command === undefined) throw new CommandError(59, `no such command: '${name}'`);
    if (command.requires !== undefined) authorize(full, name, command.requires);
    return { ...(await command.handler(full)), ok: 1 };
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    throw error;
  }
}

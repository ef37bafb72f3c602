import { Binary, type Document } from 'mongodb';
import { authenticationFailed, CommandError } from './command-error.ts';
import { parseClientFirst, SCRAM_SHA_256, ScramConversation } from './scram.ts';
import { type CommandContext, type CommandHandler, userKey } from './state.ts';

const text = (payload: unknown): string =>
  payload instanceof Binary ? payload.toString('utf8') : Buffer.from(String(payload), 'base64').toString('utf8');

const saslReply = (done: boolean, payload: string): Document => ({
  conversationId: 1,
  done,
  payload: new Binary(Buffer.from(payload, 'utf8')),
});

/** saslStart on `db` (the authentication database), also run inline by hello's `speculativeAuthenticate`. */
function startConversation({ state, connection }: CommandContext, db: string, command: Document): Document {
  delete connection.sasl;
  if (command.mechanism !== SCRAM_SHA_256) {
    throw new CommandError(334, `Received authentication for mechanism ${command.mechanism} which is not enabled`);
  }
  const client = parseClientFirst(text(command.payload));
  const key = userKey(db, client.username);
  const user = state.users.get(key);
  if (user === undefined) throw authenticationFailed();
  const conversation = new ScramConversation(client, user.credentials);
  const skipEmptyExchange = (command.options as Document | undefined)?.skipEmptyExchange === true;
  connection.sasl = { userKey: key, conversation, proven: false, skipEmptyExchange };
  return saslReply(false, conversation.serverFirst);
}

export const saslStart: CommandHandler = (context) => startConversation(context, context.db, context.body);

export const saslContinue: CommandHandler = ({ connection, body }) => {
  const sasl = connection.sasl;
  if (sasl === undefined) throw new CommandError(17, 'No SASL session state found');
  if (body.conversationId !== 1) throw new CommandError(17, 'sasl: Mismatched conversation id');
  if (sasl.proven) {
    delete connection.sasl;
    connection.principal = sasl.userKey;
    return saslReply(true, '');
  }
  let serverFinal: string;
  try {
    serverFinal = sasl.conversation.finish(text(body.payload));
  } catch (error) {
    delete connection.sasl;
    throw error;
  }
  if (!sasl.skipEmptyExchange) {
    sasl.proven = true;
    return saslReply(false, serverFinal);
  }
  delete connection.sasl;
  connection.principal = sasl.userKey;
  return saslReply(true, serverFinal);
};

/** hello's `speculativeAuthenticate`: a saslStart in the handshake; mongod omits the answer when it fails. */
export function speculativeAuthenticate(context: CommandContext): Document {
  const command = context.body.speculativeAuthenticate as Document | undefined;
  if (command?.saslStart === undefined || typeof command.db !== 'string') return {};
  try {
    return { speculativeAuthenticate: startConversation(context, command.db, command) };
  } catch (error) {
    if (error instanceof CommandError) return {};
    throw error;
  }
}

/** hello's `saslSupportedMechs: "<db>.<user>"`: the user's mechanisms, nothing for a user that does not exist. */
export function saslSupportedMechs({ state, body }: CommandContext): Document {
  const name = body.saslSupportedMechs;
  if (typeof name !== 'string') return {};
  const dot = name.indexOf('.');
  return state.users.has(userKey(name.slice(0, dot), name.slice(dot + 1)))
    ? { saslSupportedMechs: [SCRAM_SHA_256] }
    : {};
}

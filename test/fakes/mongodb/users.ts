import { type Document, UUID } from 'mongodb';
import { CommandError } from './command-error.ts';
import { parseRoles, type RoleRef } from './roles.ts';
import { SCRAM_SHA_256, scramCredentials } from './scram.ts';
import { type CommandHandler, type ServerState, type StoredUser, userKey } from './state.ts';

const userNotFound = (user: string, db: string) => new CommandError(11, `User '${user}@${db}' not found`);

export async function addUser(
  state: ServerState,
  input: { user: string; db: string; password: string; roles: RoleRef[] },
): Promise<void> {
  const credentials = await scramCredentials(input.password);
  const key = userKey(input.db, input.user);
  // Checked after hashing, with no await in between: two concurrent createUsers cannot both succeed.
  if (state.users.has(key)) throw new CommandError(51003, `User "${input.user}@${input.db}" already exists`);
  state.users.set(key, { userId: new UUID(), user: input.user, db: input.db, roles: input.roles, credentials });
}

function passwordOf(body: Document): string {
  if (typeof body.pwd !== 'string' || body.pwd === '') {
    throw new CommandError(
      2,
      "Must provide a 'pwd' field for all user documents, except those with '$external' as the user's source db",
    );
  }
  return body.pwd;
}

export const createUser: CommandHandler = async ({ state, db, body }) => {
  await addUser(state, {
    user: String(body.createUser),
    db,
    password: passwordOf(body),
    roles: parseRoles(body.roles, db),
  });
  return {};
};

export const updateUser: CommandHandler = async ({ state, db, body }) => {
  const name = String(body.updateUser);
  if (body.pwd === undefined && body.roles === undefined) {
    throw new CommandError(2, 'Must specify at least one field to update in updateUser');
  }
  const roles = body.roles === undefined ? undefined : parseRoles(body.roles, db);
  const credentials = body.pwd === undefined ? undefined : await scramCredentials(passwordOf(body));
  const user = state.users.get(userKey(db, name));
  if (user === undefined) throw userNotFound(name, db);
  if (roles !== undefined) user.roles = roles;
  if (credentials !== undefined) user.credentials = credentials;
  return {};
};

export const dropUser: CommandHandler = ({ state, db, body }) => {
  const name = String(body.dropUser);
  if (!state.users.delete(userKey(db, name))) throw userNotFound(name, db);
  return {};
};

const userDocument = (user: StoredUser): Document => ({
  _id: userKey(user.db, user.user),
  userId: user.userId,
  user: user.user,
  db: user.db,
  roles: user.roles,
  mechanisms: [SCRAM_SHA_256],
});

/** `usersInfo: 1` lists the database's users; a name or `{ user, db }` asks for one. */
export const usersInfo: CommandHandler = ({ state, db, body }) => {
  const query: unknown = body.usersInfo;
  const wanted =
    query === 1
      ? (user: StoredUser) => user.db === db
      : typeof query === 'string'
        ? (user: StoredUser) => user.db === db && user.user === query
        : (user: StoredUser) => user.db === (query as Document).db && user.user === (query as Document).user;
  return { users: [...state.users.values()].filter(wanted).map(userDocument) };
};

import { CommandError } from './command-error.ts';

export type Action = 'find' | 'insert' | 'manageUsers';

export interface RoleRef {
  role: string;
  db: string;
}

/** The built-in roles the fake knows. `anyDatabase` roles exist only on `admin` and apply to every database. */
const BUILTIN_ROLES: Record<string, { anyDatabase: boolean; actions: Action[] }> = {
  read: { anyDatabase: false, actions: ['find'] },
  readWrite: { anyDatabase: false, actions: ['find', 'insert'] },
  userAdmin: { anyDatabase: false, actions: ['manageUsers'] },
  dbOwner: { anyDatabase: false, actions: ['find', 'insert', 'manageUsers'] },
  readAnyDatabase: { anyDatabase: true, actions: ['find'] },
  readWriteAnyDatabase: { anyDatabase: true, actions: ['find', 'insert'] },
  userAdminAnyDatabase: { anyDatabase: true, actions: ['manageUsers'] },
  root: { anyDatabase: true, actions: ['find', 'insert', 'manageUsers'] },
};

/** createUser's `roles`: a bare name means that role on the command's database. */
export function parseRoles(roles: unknown, db: string): RoleRef[] {
  if (!Array.isArray(roles)) throw new CommandError(2, '"roles" field must be an array');
  return roles.map((entry: unknown) => {
    const ref =
      typeof entry === 'string'
        ? { role: entry, db }
        : { role: String((entry as RoleRef).role), db: String((entry as RoleRef).db) };
    const builtin = BUILTIN_ROLES[ref.role];
    if (builtin === undefined || (builtin.anyDatabase && ref.db !== 'admin')) {
      throw new CommandError(31, `Could not find role: ${ref.role}@${ref.db}`);
    }
    return ref;
  });
}

export function allows(roles: RoleRef[], action: Action, db: string): boolean {
  return roles.some((ref) => {
    const builtin = BUILTIN_ROLES[ref.role];
    return builtin?.actions.includes(action) === true && (builtin.anyDatabase || ref.db === db);
  });
}

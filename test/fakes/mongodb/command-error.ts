import type { Document } from 'mongodb';

/** Server error codes and names as mongod reports them (src/mongo/base/error_codes.yml). */
const CODE_NAMES = {
  2: 'BadValue',
  11: 'UserNotFound',
  13: 'Unauthorized',
  17: 'ProtocolError',
  18: 'AuthenticationFailed',
  31: 'RoleNotFound',
  59: 'CommandNotFound',
  334: 'MechanismUnavailable',
  352: 'UnsupportedOpQueryCommand',
  // uassert location codes have no name of their own.
  51003: 'Location51003',
} as const;

export type ErrorCode = keyof typeof CODE_NAMES;

/** A command that failed: the reply is `{ ok: 0, errmsg, code, codeName }`. */
export class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: CODE_NAMES[this.code] };
  }
}

/** What mongod answers to any failed authentication step: nothing more, so as not to reveal which users exist. */
export const authenticationFailed = () => new CommandError(18, 'Authentication failed.');

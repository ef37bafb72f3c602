import { userInfo } from 'node:os';

function operator(): string {
  const fromEnv = process.env.USER ?? process.env.LOGNAME;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** One JSON line on stderr per operator mutation, in the shape of the broker's own audit log lines. */
export function writeAuditLine(what: string, details: Record<string, unknown>): void {
  const line = { audit: true, time: new Date().toISOString(), who: operator(), what, ...details };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

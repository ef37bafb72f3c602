import type { OsbResponse } from '../support/osb-client.ts';

/** Statuses Korifi treats as permanent failures on a PUT or DELETE it re-sends (OSB-RULES 19). */
const PERMANENT_FOR_KORIFI = new Set([400, 409, 422]);
const MAX_OPERATION_CHARS = 10_000;

/** What in one answer a platform would trip on (OSB-RULES 3, 19, 20); empty when it is fine. */
export function answerProblems(res: OsbResponse): string[] {
  const problems: string[] = [];
  const where = `${res.status} ${res.text.slice(0, 200)}`;
  if (PERMANENT_FOR_KORIFI.has(res.status)) problems.push(`status ${res.status} marks the resource failed: ${where}`);
  if (!String(res.headers['content-type']).includes('application/json')) problems.push(`not JSON: ${where}`);
  if ('__unparsable' in res.body) problems.push(`body does not parse: ${where}`);
  const retryAfter = res.headers['retry-after'];
  if (retryAfter !== undefined && !/^\d+$/.test(String(retryAfter))) {
    problems.push(`Retry-After ${String(retryAfter)} is not integer seconds`);
  }
  const operation = res.body.operation;
  if (operation !== undefined && (typeof operation !== 'string' || operation.length > MAX_OPERATION_CHARS)) {
    problems.push(`operation is not a string of at most ${MAX_OPERATION_CHARS} characters`);
  }
  for (const [key, value] of Object.entries(res.body)) {
    if (value === null) problems.push(`${key} is null (omit it instead)`);
  }
  return problems;
}

/** The statuses of a burst with repeats collapsed: [202, 202, 200, 200] → [202, 200]. */
export function statusRuns(answers: OsbResponse[]): number[] {
  return answers.map((a) => a.status).filter((status, i, all) => i === 0 || all[i - 1] !== status);
}

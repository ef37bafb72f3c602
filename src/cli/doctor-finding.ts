export type FindingLevel = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report: what was checked, what it found, and what the operator should do. */
export interface Finding {
  level: FindingLevel;
  subject: string;
  detail: string;
  fix?: string;
}

const LABEL: Record<FindingLevel, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function formatFinding(finding: Finding): string {
  const lines = [`${LABEL[finding.level]}  ${finding.subject}: ${finding.detail}`];
  if (finding.fix !== undefined) lines.push(`      fix: ${finding.fix}`);
  return lines.join('\n');
}

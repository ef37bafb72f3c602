/** Just enough of the AWS query protocol: form-encoded input lists, XML output. */
export type XmlValue = string | number | boolean | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [tag: string]: XmlValue;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function toXml(tag: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${tag}>${value.map((v) => toXml('member', v)).join('')}</${tag}>`;
  if (typeof value === 'object') {
    return `<${tag}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${tag}>`;
  }
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export function queryResponse(action: string, result: XmlNode | undefined, requestId: string): string {
  const inner = result === undefined ? '' : toXml(`${action}Result`, result);
  return `<${action}Response xmlns="${NS}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(code: string, message: string, requestId: string, type = 'Sender'): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** `Parameters.member.1.ParameterKey=...` → `[{ ParameterKey: ... }]`; `Capabilities.member.1=X` → `['X']`. */
export function memberList(form: URLSearchParams, name: string): Array<Record<string, string>> {
  const items = new Map<number, Record<string, string>>();
  const prefix = `${name}.member.`;
  for (const [key, value] of form) {
    if (!key.startsWith(prefix)) continue;
    const [index, field] = key.slice(prefix.length).split('.', 2) as [string, string | undefined];
    const item = items.get(Number(index)) ?? {};
    item[field ?? ''] = value;
    items.set(Number(index), item);
  }
  return [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

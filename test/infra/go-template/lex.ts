/** The subset of Go's text/template lexing the chart uses: text, `{{ }}` actions with `-` trim markers, comments. */
export type Segment = { kind: 'text'; text: string } | { kind: 'action'; source: string };

export type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'word'; value: string }
  | { kind: 'field'; path: string[] }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'punct'; value: '(' | ')' | '|' | ':=' | ',' };

export function splitTemplate(source: string): Segment[] {
  const segments: Segment[] = [];
  let rest = source;
  let trimNext = false;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    let text = open === -1 ? rest : rest.slice(0, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text) segments.push({ kind: 'text', text });
      break;
    }
    const close = rest.indexOf('}}', open);
    if (close === -1) throw new Error(`unclosed action: ${rest.slice(open, open + 40)}`);
    let inner = rest.slice(open + 2, close);
    if (inner.startsWith('- ')) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(2);
    }
    trimNext = inner.endsWith(' -');
    if (trimNext) inner = inner.slice(0, -2);
    if (text) segments.push({ kind: 'text', text });
    inner = inner.trim();
    if (!(inner.startsWith('/*') && inner.endsWith('*/'))) segments.push({ kind: 'action', source: inner });
    rest = rest.slice(close + 2);
  }
  return segments;
}

const PATTERNS: [RegExp, (m: RegExpExecArray) => Token][] = [
  [/^"((?:[^"\\]|\\.)*)"/, (m) => ({ kind: 'string', value: JSON.parse(`"${m[1]}"`) as string })],
  [/^`([^`]*)`/, (m) => ({ kind: 'string', value: m[1] ?? '' })],
  [/^-?\d+(\.\d+)?/, (m) => ({ kind: 'number', value: Number(m[0]) })],
  [/^\$([A-Za-z_]\w*)?((?:\.[A-Za-z_]\w*)*)/, (m) => ({ kind: 'variable', name: m[1] ?? '', path: fields(m[2]) })],
  [/^((?:\.[A-Za-z_]\w*)+|\.)/, (m) => ({ kind: 'field', path: fields(m[1]) })],
  [/^[A-Za-z_]\w*/, (m) => ({ kind: 'word', value: m[0] })],
  [/^(:=|[()|,])/, (m) => ({ kind: 'punct', value: m[0] as '(' | ')' | '|' | ':=' | ',' })],
];

function fields(text: string | undefined): string[] {
  return (text ?? '').split('.').filter((f) => f !== '');
}

export function tokenize(action: string): Token[] {
  const tokens: Token[] = [];
  let rest = action.trim();
  while (rest.length > 0) {
    const match = PATTERNS.map(([re, make]) => [re.exec(rest), make] as const).find(([m]) => m !== null);
    if (!match?.[0]) throw new Error(`cannot read action at: ${rest}`);
    tokens.push(match[1](match[0]));
    rest = rest.slice(match[0][0].length).trimStart();
  }
  return tokens;
}

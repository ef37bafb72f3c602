import { type Segment, splitTemplate, type Token, tokenize } from './lex.ts';

export type Operand =
  | { kind: 'literal'; value: unknown }
  | { kind: 'field'; path: string[] }
  | { kind: 'variable'; name: string; path: string[] }
  | { kind: 'call'; name: string }
  | { kind: 'sub'; pipeline: Pipeline };
/** A command: an operand and its arguments (a function call when there are arguments or it names one). */
export type Command = Operand[];
export type Pipeline = Command[];

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'output'; pipeline: Pipeline }
  | { kind: 'assign'; name: string; pipeline: Pipeline }
  | { kind: 'if'; branches: { condition: Pipeline; body: Node[] }[]; otherwise: Node[] }
  | { kind: 'range'; variables: string[]; pipeline: Pipeline; body: Node[] };

export type Templates = Map<string, Node[]>;

/** Parses a template file; `define` blocks are added to `templates`, the rest is returned. */
export function parseTemplate(source: string, templates: Templates): Node[] {
  const segments = splitTemplate(source);
  let position = 0;

  function block(terminators: string[]): { nodes: Node[]; end: string } {
    const nodes: Node[] = [];
    while (position < segments.length) {
      const segment = segments[position++] as Segment;
      if (segment.kind === 'text') {
        nodes.push({ kind: 'text', text: segment.text });
        continue;
      }
      const tokens = tokenize(segment.source);
      const keyword = tokens[0]?.kind === 'word' ? tokens[0].value : '';
      if (terminators.includes(keyword)) return { nodes, end: segment.source };
      if (keyword === 'if') nodes.push(ifNode(tokens.slice(1)));
      else if (keyword === 'range') nodes.push(rangeNode(tokens.slice(1)));
      else if (keyword === 'define') defineNode(tokens.slice(1));
      else if (tokens[0]?.kind === 'variable' && tokens[1]?.kind === 'punct' && tokens[1].value === ':=') {
        nodes.push({ kind: 'assign', name: tokens[0].name, pipeline: pipeline(tokens.slice(2)) });
      } else nodes.push({ kind: 'output', pipeline: pipeline(tokens) });
    }
    if (terminators.length > 0) throw new Error(`missing {{ end }} (expected one of ${terminators.join(', ')})`);
    return { nodes, end: '' };
  }

  function ifNode(condition: Token[]): Node {
    const branches: { condition: Pipeline; body: Node[] }[] = [];
    let current = pipeline(condition);
    for (;;) {
      const { nodes, end } = block(['else', 'end']);
      branches.push({ condition: current, body: nodes });
      if (end === 'end') return { kind: 'if', branches, otherwise: [] };
      const rest = tokenize(end).slice(1);
      if (rest[0]?.kind === 'word' && rest[0].value === 'if') current = pipeline(rest.slice(1));
      else return { kind: 'if', branches, otherwise: block(['end']).nodes };
    }
  }

  function rangeNode(tokens: Token[]): Node {
    const assign = tokens.findIndex((t) => t.kind === 'punct' && t.value === ':=');
    const variables = tokens.slice(0, Math.max(assign, 0)).flatMap((t) => (t.kind === 'variable' ? [t.name] : []));
    const body = block(['end']).nodes;
    return { kind: 'range', variables, pipeline: pipeline(tokens.slice(assign + 1)), body };
  }

  function defineNode(tokens: Token[]): void {
    const name = tokens[0];
    if (name?.kind !== 'string') throw new Error('define needs a quoted name');
    templates.set(name.value, block(['end']).nodes);
  }

  return block([]).nodes;
}

function pipeline(tokens: Token[]): Pipeline {
  const commands: Pipeline = [];
  let command: Command = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind === 'punct' && token.value === '|') {
      commands.push(command);
      command = [];
    } else if (token.kind === 'punct' && token.value === '(') {
      const close = matchingParen(tokens, i);
      command.push({ kind: 'sub', pipeline: pipeline(tokens.slice(i + 1, close)) });
      i = close;
    } else command.push(operand(token));
  }
  commands.push(command);
  if (commands.some((c) => c.length === 0)) throw new Error('empty command in pipeline');
  return commands;
}

function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.kind !== 'punct') continue;
    if (token.value === '(') depth++;
    if (token.value === ')' && --depth === 0) return i;
  }
  throw new Error('unbalanced parentheses');
}

function operand(token: Token): Operand {
  switch (token.kind) {
    case 'string':
    case 'number':
      return { kind: 'literal', value: token.value };
    case 'field':
      return { kind: 'field', path: token.path };
    case 'variable':
      return { kind: 'variable', name: token.name, path: token.path };
    case 'word':
      if (token.value === 'true' || token.value === 'false') return { kind: 'literal', value: token.value === 'true' };
      if (token.value === 'nil') return { kind: 'literal', value: null };
      return { kind: 'call', name: token.value };
    case 'punct':
      throw new Error(`unexpected ${token.value}`);
  }
}

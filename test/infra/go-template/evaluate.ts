import { FUNCTIONS, printValue, truthy } from './functions.ts';
import type { Command, Node, Operand, Pipeline, Templates } from './parse.ts';

type Scope = Map<string, unknown>;

/** Executes parsed templates against a root context (`$`), with Helm's `include`. */
export class TemplateEngine {
  constructor(
    private readonly templates: Templates,
    private readonly root: unknown,
  ) {}

  /** `$` is the data a template was executed or included with. */
  render(nodes: Node[], dot: unknown = this.root, scopes: Scope[] = [new Map([['', dot]])]): string {
    let out = '';
    const scope: Scope = new Map();
    const chain = [...scopes, scope];
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out += node.text;
          break;
        case 'output':
          out += printValue(this.pipeline(node.pipeline, dot, chain));
          break;
        case 'assign':
          scope.set(node.name, this.pipeline(node.pipeline, dot, chain));
          break;
        case 'if': {
          const branch = node.branches.find((b) => truthy(this.pipeline(b.condition, dot, chain)));
          out += this.render(branch ? branch.body : node.otherwise, dot, chain);
          break;
        }
        case 'range':
          out += this.range(node, dot, chain);
          break;
      }
    }
    return out;
  }

  include(name: unknown, dot: unknown): string {
    const nodes = this.templates.get(String(name));
    if (!nodes) throw new Error(`include: no template named "${String(name)}"`);
    return this.render(nodes, dot);
  }

  private range(node: Extract<Node, { kind: 'range' }>, dot: unknown, scopes: Scope[]): string {
    const value = this.pipeline(node.pipeline, dot, scopes);
    if (!truthy(value)) return '';
    if (typeof value !== 'object' || value === null) throw new Error('range over a value that is not a list or map');
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value).sort();
    const [keyName, valueName] = node.variables.length === 1 ? [undefined, node.variables[0]] : node.variables;
    return entries
      .map(([key, item]) => {
        const scope: Scope = new Map();
        if (keyName !== undefined) scope.set(keyName, key);
        if (valueName !== undefined) scope.set(valueName, item);
        return this.render(node.body, item, [...scopes, scope]);
      })
      .join('');
  }

  private pipeline(pipeline: Pipeline, dot: unknown, scopes: Scope[]): unknown {
    let piped: { value: unknown } | undefined;
    for (const command of pipeline) piped = { value: this.command(command, piped, dot, scopes) };
    return piped?.value;
  }

  private command(command: Command, piped: { value: unknown } | undefined, dot: unknown, scopes: Scope[]): unknown {
    const [head, ...rest] = command as [Operand, ...Operand[]];
    const args = rest.map((o) => this.operand(o, dot, scopes));
    if (piped) args.push(piped.value);
    if (head.kind === 'call') {
      if (head.name === 'include') return this.include(args[0], args[1]);
      const fn = FUNCTIONS[head.name];
      if (!fn) throw new Error(`unknown function ${head.name}`);
      return fn(...args);
    }
    const value = this.operand(head, dot, scopes);
    if (typeof value === 'function') return (value as (...a: unknown[]) => unknown)(...args);
    if (args.length > 0) throw new Error('arguments given to a value that is not a function');
    return value;
  }

  private operand(operand: Operand, dot: unknown, scopes: Scope[]): unknown {
    switch (operand.kind) {
      case 'literal':
        return operand.value;
      case 'field':
        return walk(dot, operand.path);
      case 'variable': {
        const scope = scopes.findLast((s) => s.has(operand.name));
        if (!scope) throw new Error(`undefined variable $${operand.name}`);
        return walk(scope.get(operand.name), operand.path);
      }
      case 'sub':
        return this.pipeline(operand.pipeline, dot, scopes);
      case 'call':
        return this.command([operand], undefined, dot, scopes);
    }
  }
}

/** Field access; a missing key is nil, a field of nil is an error (as in Helm). */
function walk(value: unknown, path: string[]): unknown {
  let current = value;
  for (const [i, field] of path.entries()) {
    if (current === null || current === undefined || typeof current !== 'object') {
      throw new Error(`nil pointer evaluating .${path.slice(0, i + 1).join('.')}`);
    }
    current = (current as Record<string, unknown>)[field];
  }
  return current;
}

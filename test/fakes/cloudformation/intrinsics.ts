/**
 * Evaluates CloudFormation intrinsic functions the way the service does for outputs and the few resource
 * properties the fake materialises (secrets, SSM parameters). Unknown functions are an error, so a template
 * the fake cannot read fails loudly instead of yielding nonsense.
 */
export const NO_VALUE = Symbol('AWS::NoValue');

export interface EvalScope {
  parameters: Record<string, string>;
  pseudo: Record<string, string>;
  /** Physical id (the `Ref` value) of a resource. */
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
  condition(name: string): boolean;
}

function refValue(name: string, scope: EvalScope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (name in scope.pseudo) return scope.pseudo[name];
  if (name in scope.parameters) {
    const value = scope.parameters[name] as string;
    return value;
  }
  return scope.ref(name);
}

function substitute(template: string, vars: Record<string, unknown>, scope: EvalScope): string {
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_, name: string) => {
    if (name in vars) return String(vars[name]);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return scope.getAtt(name.slice(0, dot), name.slice(dot + 1));
    return String(refValue(name, scope));
  });
}

export function evaluate(value: unknown, scope: EvalScope): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, scope)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0] as [string, unknown];
    switch (fn) {
      case 'Ref':
        return refValue(String(arg), scope);
      case 'Condition':
        return scope.condition(String(arg));
      case 'Fn::GetAtt': {
        const [id, ...rest] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
        return scope.getAtt(String(id), rest.join('.'));
      }
      case 'Fn::Sub': {
        if (typeof arg === 'string') return substitute(arg, {}, scope);
        const [text, vars] = arg as [string, Record<string, unknown>];
        const evaluated = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, evaluate(v, scope)]));
        return substitute(text, evaluated, scope);
      }
      case 'Fn::Join': {
        const [sep, list] = arg as [string, unknown];
        return (evaluate(list, scope) as unknown[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (evaluate(list, scope) as unknown[])[Number(evaluate(index, scope))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return String(evaluate(text, scope)).split(sep);
      }
      case 'Fn::If': {
        const [name, yes, no] = arg as [string, unknown, unknown];
        return evaluate(scope.condition(name) ? yes : no, scope);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((v) => evaluate(v, scope));
        return String(a) === String(b);
      }
      case 'Fn::Not':
        return !evaluate((arg as unknown[])[0], scope);
      case 'Fn::And':
        return (arg as unknown[]).every((v) => evaluate(v, scope) === true);
      case 'Fn::Or':
        return (arg as unknown[]).some((v) => evaluate(v, scope) === true);
      case 'Fn::Base64':
        return Buffer.from(String(evaluate(arg, scope))).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${scope.pseudo['AWS::Region']}${zone}`);
      default:
        if (fn.startsWith('Fn::')) throw new Error(`the fake does not implement ${fn}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of entries) {
    const evaluated = evaluate(v, scope);
    if (evaluated !== NO_VALUE) out[key] = evaluated;
  }
  return out;
}

/** Every Ref / GetAtt / ${} target of a template, with where it was used: what CloudFormation resolves at create. */
export interface Reference {
  kind: 'Ref' | 'GetAtt';
  target: string;
  attribute?: string;
  /** `Resources.Bucket`, `Outputs.BucketName`, ... */
  from: string;
}

const PSEUDO = new Set([
  'AWS::AccountId',
  'AWS::NoValue',
  'AWS::NotificationARNs',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

function collect(value: unknown, from: string, out: Reference[], subVars: Set<string> = new Set()): void {
  if (Array.isArray(value)) {
    for (const v of value) collect(v, from, out, subVars);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, arg] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'Ref' && typeof arg === 'string') out.push({ kind: 'Ref', target: arg, from });
    else if (key === 'Fn::GetAtt') {
      const [target, ...rest] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
      out.push({ kind: 'GetAtt', target: String(target), attribute: rest.join('.'), from });
    } else if (key === 'Fn::Sub') {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
      const names = new Set(Object.keys(vars));
      for (const match of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const name = match[1] as string;
        if (names.has(name) || name.startsWith('AWS::')) {
          if (!names.has(name)) out.push({ kind: 'Ref', target: name, from });
          continue;
        }
        const dot = name.indexOf('.');
        if (dot > 0) out.push({ kind: 'GetAtt', target: name.slice(0, dot), attribute: name.slice(dot + 1), from });
        else out.push({ kind: 'Ref', target: name, from });
      }
      collect(vars, from, out, subVars);
    } else collect(arg, from, out, subVars);
  }
}

export function templateReferences(template: Record<string, unknown>): Reference[] {
  const out: Reference[] = [];
  for (const section of ['Resources', 'Outputs', 'Conditions'] as const) {
    const entries = (template[section] ?? {}) as Record<string, unknown>;
    for (const [name, body] of Object.entries(entries)) collect(body, `${section}.${name}`, out);
  }
  return out;
}

/** The references that resolve to nothing: CloudFormation's "Unresolved resource dependencies". */
export function unresolvedReferences(template: Record<string, unknown>): Reference[] {
  const parameters = new Set(Object.keys((template.Parameters ?? {}) as object));
  const resources = new Set(Object.keys((template.Resources ?? {}) as object));
  return templateReferences(template).filter((ref) =>
    ref.kind === 'Ref'
      ? !(PSEUDO.has(ref.target) || parameters.has(ref.target) || resources.has(ref.target))
      : !resources.has(ref.target),
  );
}

/** Resources a resource refers to (for creation order). */
export function resourceDependencies(template: Record<string, unknown>, logicalId: string): string[] {
  const resources = (template.Resources ?? {}) as Record<string, Record<string, unknown>>;
  const out: Reference[] = [];
  collect(resources[logicalId], logicalId, out);
  const dependsOn = resources[logicalId]?.DependsOn;
  const explicit =
    dependsOn === undefined ? [] : Array.isArray(dependsOn) ? dependsOn.map(String) : [String(dependsOn)];
  return [...new Set([...out.map((r) => r.target), ...explicit])].filter((t) => t in resources && t !== logicalId);
}

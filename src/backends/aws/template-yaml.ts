import YAML, { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { JsonObject } from '../../plugin-api/index.ts';

/** CloudFormation's short-form tags and the long-form key each one stands for. */
const SHORT_TAGS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!GetAtt': 'Fn::GetAtt',
  '!Sub': 'Fn::Sub',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!If': 'Fn::If',
  '!Equals': 'Fn::Equals',
  '!Not': 'Fn::Not',
  '!And': 'Fn::And',
  '!Or': 'Fn::Or',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAZs': 'Fn::GetAZs',
  '!Base64': 'Fn::Base64',
  '!ImportValue': 'Fn::ImportValue',
  '!Cidr': 'Fn::Cidr',
};

function toLongForm(node: Node | null): unknown {
  if (node === null) return null;
  if (isAlias(node)) throw new Error('YAML aliases are not supported in CloudFormation templates');
  let value: unknown;
  if (isScalar(node)) value = node.value;
  else if (isSeq(node)) value = node.items.map((item) => toLongForm(item as Node | null));
  else if (isMap(node)) {
    const out: JsonObject = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      out[key] = toLongForm(pair.value as Node | null);
    }
    value = out;
  }
  const tag = node.tag;
  if (tag === undefined || !tag.startsWith('!')) return value;
  const longKey = SHORT_TAGS[tag];
  if (longKey === undefined) throw new Error(`unknown CloudFormation tag ${tag}`);
  // `!GetAtt Resource.Attribute` splits on the first dot only (attributes like Endpoint.Address have dots).
  if (tag === '!GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    value = dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
  }
  return { [longKey]: value };
}

/** Parses a CloudFormation template in JSON or YAML (short tags included) into its long (JSON) form. */
export function parseTemplate(text: string): JsonObject {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  const parsed = toLongForm(doc.contents as Node | null);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('a template must be a mapping');
  }
  return parsed as JsonObject;
}

import type { Tag } from '@aws-sdk/client-cloudformation';
import { derivedName, type JsonObject, type OriginatingIdentity } from '../../plugin-api/index.ts';

/** A valid, stable stack name (letter first, `[A-Za-z0-9-]`, ≤ 128) for any OSB instance id. */
export function stackName(stackPrefix: string, instanceId: string): string {
  return derivedName(stackPrefix, instanceId, 24);
}

/** A `ClientRequestToken` (`[a-zA-Z0-9][-a-zA-Z0-9]*`, ≤ 128) naming one operation on one stack. */
export function requestToken(kind: 'create' | 'update' | 'delete', instanceId: string, unique?: string): string {
  const base = derivedName(`${kind}-`, instanceId, 24);
  return unique === undefined ? base : `${base}-${unique}`;
}

const TAG_VALUE_MAX = 256;

// Tag values allow letters, digits, spaces and `_ . : / = + - @`; anything else (and the overflow) goes.
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, '_').slice(0, TAG_VALUE_MAX);
}

function identityUser(identity: OriginatingIdentity): string | undefined {
  const value = identity.value;
  for (const key of ['user_id', 'username', 'user_name', 'uid']) {
    if (typeof value[key] === 'string' && value[key] !== '') return value[key] as string;
  }
  return undefined;
}

const CONTEXT_TAGS: Array<[key: string, tag: string]> = [
  ['platform', 'omnibroker:platform'],
  ['organization_guid', 'omnibroker:organization-guid'],
  ['space_guid', 'omnibroker:space-guid'],
  ['namespace', 'omnibroker:namespace'],
  ['clusterid', 'omnibroker:cluster-id'],
  ['instance_name', 'omnibroker:instance-name'],
];

export function stackTags(input: {
  instanceId: string;
  serviceId: string;
  planId: string;
  context: JsonObject;
  organizationGuid?: string | undefined;
  spaceGuid?: string | undefined;
  identity?: OriginatingIdentity | undefined;
}): Tag[] {
  const tags = new Map<string, string>([
    ['omnibroker:instance-id', input.instanceId],
    ['omnibroker:service-id', input.serviceId],
    ['omnibroker:plan-id', input.planId],
  ]);
  const context: JsonObject = {
    ...input.context,
    ...(input.organizationGuid === undefined ? {} : { organization_guid: input.organizationGuid }),
    ...(input.spaceGuid === undefined ? {} : { space_guid: input.spaceGuid }),
  };
  for (const [key, tag] of CONTEXT_TAGS) {
    const value = context[key];
    if (typeof value === 'string' && value !== '') tags.set(tag, value);
  }
  if (input.identity !== undefined) {
    tags.set('omnibroker:origin-platform', input.identity.platform);
    const user = identityUser(input.identity);
    if (user !== undefined) tags.set('omnibroker:origin-user', user);
  }
  return [...tags].map(([Key, Value]) => ({ Key, Value: tagValue(Value) })).filter((tag) => tag.Value !== '');
}

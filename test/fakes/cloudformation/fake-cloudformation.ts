import { randomBytes, randomUUID } from 'node:crypto';
import { parseTemplate } from '../../../src/backends/aws/template-yaml.ts';
import { type EvalScope, evaluate } from './intrinsics.ts';
import { resourceDependencies, unresolvedReferences } from './references.ts';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';

export class CfnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface StackEventRecord {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ClientRequestToken?: string;
}

interface ResourceState {
  type: string;
  physicalId?: string;
  status: string;
  /** Values the fake made up for attributes (e.g. an access key's secret). */
  attributes: Record<string, string>;
}

export interface FakeStack {
  name: string;
  id: string;
  status: string;
  reason?: string;
  templateBody: string;
  template: Record<string, unknown>;
  parameters: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  outputs: Array<{ OutputKey: string; OutputValue: string; Description?: string }>;
  resources: Map<string, ResourceState>;
  events: StackEventRecord[];
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
  token?: string;
  steps: Array<() => void>;
  timer?: NodeJS.Timeout;
}

/** A failure CloudFormation would report for one resource (quota, a bucket that is not empty, ...). */
export interface FailureRule {
  operation: 'create' | 'update' | 'delete';
  logicalId?: string;
  resourceType?: string;
  reason: string;
  /** How many times the rule fires; default: always. */
  times?: number;
}

/** Side effects of resources on the rest of the fake account (Secrets Manager, SSM). */
export interface AccountSideEffects {
  putSecret(arn: string, name: string, value: string): void;
  deleteSecret(arn: string): void;
  putParameter(name: string, value: string): void;
  deleteParameter(name: string): void;
}

interface Input {
  StackName: string;
  TemplateBody?: string;
  Parameters: Array<{ ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: string }>;
  Tags: Array<{ Key?: string; Value?: string }>;
  Capabilities: string[];
  ClientRequestToken?: string;
}

const rand = (n: number) => randomBytes(n).toString('hex').slice(0, n).toUpperCase();
const now = () => new Date().toISOString();

function defaultPort(type: string, props: Record<string, unknown>): string {
  if (props.Port !== undefined) return String(props.Port);
  if (type === 'AWS::ElastiCache::ReplicationGroup') return '6379';
  return props.Engine === 'postgres' ? '5432' : '3306';
}

/** The CloudFormation service of one fake account: stacks, their events and resource lifecycles. */
export class FakeCloudFormation {
  readonly stacks: FakeStack[] = [];
  private readonly rules: FailureRule[] = [];
  /** Attribute values tests pin, e.g. an RDS endpoint that points at a local MariaDB. */
  readonly attributeOverrides = new Map<string, Record<string, string>>();

  constructor(
    private readonly account: AccountSideEffects,
    private readonly stepMs: number,
  ) {}

  failWhen(rule: FailureRule): void {
    this.rules.push({ ...rule });
  }

  close(): void {
    for (const stack of this.stacks) clearTimeout(stack.timer);
  }

  private live(nameOrId: string): FakeStack | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.find((s) => s.id === nameOrId);
    return this.stacks.find((s) => s.name === nameOrId && s.status !== 'DELETE_COMPLETE');
  }

  private mustFind(nameOrId: string): FakeStack {
    const stack = this.live(nameOrId);
    if (stack === undefined) throw new CfnError('ValidationError', `Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  describe(nameOrId: string | undefined): FakeStack[] {
    if (nameOrId === undefined) return this.stacks.filter((s) => s.status !== 'DELETE_COMPLETE');
    return [this.mustFind(nameOrId)];
  }

  events(nameOrId: string): StackEventRecord[] {
    return this.mustFind(nameOrId).events;
  }

  private parseTemplate(body: string | undefined): Record<string, unknown> {
    if (body === undefined)
      throw new CfnError('ValidationError', 'Either Template URL or Template Body must be specified.');
    let template: Record<string, unknown>;
    try {
      template = parseTemplate(body);
    } catch (error) {
      throw new CfnError('ValidationError', `Template format error: ${(error as Error).message}`);
    }
    const unresolved = unresolvedReferences(template);
    if (unresolved.length > 0) {
      const names = [...new Set(unresolved.map((r) => r.target))].join(', ');
      throw new CfnError(
        'ValidationError',
        `Template format error: Unresolved resource dependencies [${names}] in the Resources block of the template`,
      );
    }
    return template;
  }

  private checkCapabilities(template: Record<string, unknown>, capabilities: string[]): void {
    const resources = Object.values((template.Resources ?? {}) as Record<string, { Type: string }>);
    if (resources.some((r) => r.Type.startsWith('AWS::IAM::')) && !capabilities.includes('CAPABILITY_IAM')) {
      throw new CfnError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]');
    }
  }

  /** Parameter values as CloudFormation resolves them, with its validation messages. */
  private resolveParameters(
    template: Record<string, unknown>,
    given: Input['Parameters'],
    previous: Record<string, string> | undefined,
  ): Record<string, string> {
    const declared = (template.Parameters ?? {}) as Record<string, Record<string, unknown>>;
    const values: Record<string, string> = {};
    const unknown = given.filter((p) => !(String(p.ParameterKey) in declared)).map((p) => p.ParameterKey);
    if (unknown.length > 0) {
      throw new CfnError('ValidationError', `Parameters: [${unknown.join(', ')}] do not exist in the template`);
    }
    for (const p of given) {
      const key = String(p.ParameterKey);
      if (p.UsePreviousValue === 'true') {
        if (previous?.[key] === undefined) {
          throw new CfnError(
            'ValidationError',
            `Invalid input for parameter key ${key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template`,
          );
        }
        values[key] = previous[key];
      } else values[key] = p.ParameterValue ?? '';
    }
    const missing: string[] = [];
    for (const [key, spec] of Object.entries(declared)) {
      if (values[key] === undefined) {
        if (spec.Default === undefined) missing.push(key);
        else values[key] = Array.isArray(spec.Default) ? spec.Default.join(',') : String(spec.Default);
      }
      const value = values[key];
      if (value === undefined) continue;
      const allowed = spec.AllowedValues as unknown[] | undefined;
      if (allowed !== undefined && !allowed.map(String).includes(value)) {
        throw new CfnError('ValidationError', `Parameter '${key}' must be one of AllowedValues`);
      }
      if (typeof spec.AllowedPattern === 'string' && !new RegExp(`^(?:${spec.AllowedPattern})$`).test(value)) {
        throw new CfnError('ValidationError', `Parameter '${key}' must match pattern ${spec.AllowedPattern}`);
      }
      if (spec.Type === 'Number') {
        const n = Number(value);
        if (value === '' || Number.isNaN(n))
          throw new CfnError('ValidationError', `Parameter '${key}' must be a number`);
        if (spec.MinValue !== undefined && n < Number(spec.MinValue)) {
          throw new CfnError('ValidationError', `Parameter '${key}' must be a number not less than ${spec.MinValue}`);
        }
        if (spec.MaxValue !== undefined && n > Number(spec.MaxValue)) {
          throw new CfnError(
            'ValidationError',
            `Parameter '${key}' must be a number not greater than ${spec.MaxValue}`,
          );
        }
      }
    }
    if (missing.length > 0)
      throw new CfnError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
    return values;
  }

  create(input: Input): FakeStack {
    const existing = this.live(input.StackName);
    if (existing !== undefined) {
      if (input.ClientRequestToken !== undefined && existing.token === input.ClientRequestToken) return existing;
      throw new CfnError('AlreadyExistsException', `Stack [${input.StackName}] already exists`);
    }
    const template = this.parseTemplate(input.TemplateBody);
    this.checkCapabilities(template, input.Capabilities);
    const parameters = this.resolveParameters(template, input.Parameters, undefined);
    const stack: FakeStack = {
      name: input.StackName,
      id: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${input.StackName}/${randomUUID()}`,
      status: 'CREATE_IN_PROGRESS',
      templateBody: input.TemplateBody as string,
      template,
      parameters,
      tags: input.Tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') })),
      outputs: [],
      resources: new Map(),
      events: [],
      creationTime: now(),
      steps: [],
      ...(input.ClientRequestToken === undefined ? {} : { token: input.ClientRequestToken }),
    };
    this.stacks.push(stack);
    this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    const order = this.creationOrder(template);
    for (const logicalId of order) {
      stack.steps.push(() => this.createResource(stack, logicalId));
    }
    stack.steps.push(() => {
      stack.outputs = this.computeOutputs(stack);
      this.stackEvent(stack, 'CREATE_COMPLETE');
    });
    this.run(stack);
    return stack;
  }

  update(input: Input): FakeStack {
    const stack = this.mustFind(input.StackName);
    if (!stack.status.endsWith('_COMPLETE') || stack.status === 'ROLLBACK_COMPLETE') {
      throw new CfnError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    }
    const template = this.parseTemplate(input.TemplateBody);
    this.checkCapabilities(template, input.Capabilities);
    const parameters = this.resolveParameters(template, input.Parameters, stack.parameters);
    const tags = input.Tags.map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') }));
    const changed = Object.keys(parameters).filter((k) => parameters[k] !== stack.parameters[k]);
    if (
      changed.length === 0 &&
      input.TemplateBody === stack.templateBody &&
      JSON.stringify(tags) === JSON.stringify(stack.tags)
    ) {
      throw new CfnError('ValidationError', 'No updates are to be performed.');
    }
    const previous = { parameters: stack.parameters, template: stack.template, templateBody: stack.templateBody };
    Object.assign(stack, { parameters, template, templateBody: input.TemplateBody, tags, lastUpdatedTime: now() });
    if (input.ClientRequestToken !== undefined) stack.token = input.ClientRequestToken;
    this.stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    const affected = [...stack.resources.keys()].filter((id) => {
      const body = JSON.stringify((template.Resources as Record<string, unknown>)[id]);
      return changed.some((k) => body.includes(`"Ref":"${k}"`) || body.includes(`\${${k}}`));
    });
    for (const logicalId of affected) {
      stack.steps.push(() => {
        const resource = stack.resources.get(logicalId) as ResourceState;
        this.resourceEvent(stack, logicalId, resource, 'UPDATE_IN_PROGRESS');
        const failure = this.firing('update', logicalId, resource.type);
        if (failure === undefined) {
          this.resourceEvent(stack, logicalId, resource, 'UPDATE_COMPLETE');
          return;
        }
        this.resourceEvent(stack, logicalId, resource, 'UPDATE_FAILED', failure);
        stack.steps = [
          () => {
            Object.assign(stack, previous);
            this.stackEvent(
              stack,
              'UPDATE_ROLLBACK_IN_PROGRESS',
              `The following resource(s) failed to update: [${logicalId}]. `,
            );
          },
          () => this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'),
          () => this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE'),
        ];
      });
    }
    stack.steps.push(
      () => this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'),
      () => {
        stack.outputs = this.computeOutputs(stack);
        this.stackEvent(stack, 'UPDATE_COMPLETE');
      },
    );
    this.run(stack);
    return stack;
  }

  delete(nameOrId: string, token: string | undefined): void {
    const stack = this.live(nameOrId);
    if (stack === undefined || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return;
    // A delete cancels whatever the stack was doing, as CloudFormation does.
    clearTimeout(stack.timer);
    stack.steps = [];
    if (token !== undefined) stack.token = token;
    this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const order = [...stack.resources.keys()].reverse();
    const failed: string[] = [];
    for (const logicalId of order) {
      stack.steps.push(() => {
        const resource = stack.resources.get(logicalId) as ResourceState;
        if (resource.status === 'DELETE_COMPLETE') return;
        this.resourceEvent(stack, logicalId, resource, 'DELETE_IN_PROGRESS');
        const failure = this.firing('delete', logicalId, resource.type);
        if (failure !== undefined) {
          failed.push(logicalId);
          this.resourceEvent(stack, logicalId, resource, 'DELETE_FAILED', failure);
          return;
        }
        this.destroy(resource);
        this.resourceEvent(stack, logicalId, resource, 'DELETE_COMPLETE');
      });
    }
    stack.steps.push(() => {
      if (failed.length > 0) {
        this.stackEvent(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
        return;
      }
      stack.deletionTime = now();
      this.stackEvent(stack, 'DELETE_COMPLETE');
    });
    this.run(stack);
  }

  private run(stack: FakeStack): void {
    clearTimeout(stack.timer);
    const tick = () => {
      const step = stack.steps.shift();
      if (step === undefined) return;
      step();
      stack.timer = setTimeout(tick, this.stepMs);
    };
    stack.timer = setTimeout(tick, this.stepMs);
  }

  private firing(operation: FailureRule['operation'], logicalId: string, type: string): string | undefined {
    const rule = this.rules.find(
      (r) =>
        r.operation === operation &&
        (r.logicalId === undefined || r.logicalId === logicalId) &&
        (r.resourceType === undefined || r.resourceType === type) &&
        (r.times === undefined || r.times > 0),
    );
    if (rule === undefined) return undefined;
    if (rule.times !== undefined) rule.times--;
    return rule.reason;
  }

  private creationOrder(template: Record<string, unknown>): string[] {
    const resources = (template.Resources ?? {}) as Record<string, { Condition?: string }>;
    const order: string[] = [];
    const visit = (id: string, path: Set<string>) => {
      if (order.includes(id)) return;
      if (path.has(id))
        throw new CfnError('ValidationError', `Circular dependency between resources: [${[...path].join(', ')}]`);
      path.add(id);
      for (const dep of resourceDependencies(template, id)) visit(dep, path);
      path.delete(id);
      order.push(id);
    };
    for (const id of Object.keys(resources)) visit(id, new Set());
    return order;
  }

  private scope(stack: FakeStack): EvalScope {
    const template = stack.template;
    const conditions = (template.Conditions ?? {}) as Record<string, unknown>;
    const scope: EvalScope = {
      parameters: stack.parameters,
      pseudo: {
        'AWS::Region': REGION,
        'AWS::AccountId': ACCOUNT,
        'AWS::StackName': stack.name,
        'AWS::StackId': stack.id,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      },
      ref: (id) => {
        const resource = stack.resources.get(id);
        if (resource?.physicalId === undefined) throw new Error(`resource ${id} has no physical id yet`);
        return resource.physicalId;
      },
      getAtt: (id, attribute) => this.attribute(stack, id, attribute),
      condition: (name) => evaluate(conditions[name], scope) === true,
    };
    return scope;
  }

  private resourceBody(
    stack: FakeStack,
    logicalId: string,
  ): { Type: string; Properties?: unknown; Condition?: string } {
    return (stack.template.Resources as Record<string, { Type: string; Condition?: string }>)[logicalId] as {
      Type: string;
    };
  }

  private createResource(stack: FakeStack, logicalId: string): void {
    const body = this.resourceBody(stack, logicalId);
    const scope = this.scope(stack);
    if (body.Condition !== undefined && !scope.condition(body.Condition)) return;
    const resource: ResourceState = { type: body.Type, status: 'CREATE_IN_PROGRESS', attributes: {} };
    stack.resources.set(logicalId, resource);
    this.resourceEvent(stack, logicalId, resource, 'CREATE_IN_PROGRESS');
    const failure = this.firing('create', logicalId, body.Type);
    if (failure !== undefined) {
      this.resourceEvent(stack, logicalId, resource, 'CREATE_FAILED', failure);
      this.rollback(stack, logicalId);
      return;
    }
    const props = (evaluate(body.Properties ?? {}, scope) ?? {}) as Record<string, unknown>;
    resource.physicalId = this.materialise(stack, logicalId, resource, props);
    this.resourceEvent(stack, logicalId, resource, 'CREATE_COMPLETE');
  }

  private rollback(stack: FakeStack, failedId: string): void {
    stack.steps = [];
    this.stackEvent(
      stack,
      'ROLLBACK_IN_PROGRESS',
      `The following resource(s) failed to create: [${failedId}]. Rollback requested by user.`,
    );
    for (const [logicalId, resource] of [...stack.resources].reverse()) {
      stack.steps.push(() => {
        this.resourceEvent(stack, logicalId, resource, 'DELETE_IN_PROGRESS');
        this.destroy(resource);
        this.resourceEvent(stack, logicalId, resource, 'DELETE_COMPLETE');
      });
    }
    stack.steps.push(() => this.stackEvent(stack, 'ROLLBACK_COMPLETE'));
  }

  /** Gives the resource its physical id and the account-side effects its type has. */
  private materialise(
    stack: FakeStack,
    logicalId: string,
    resource: ResourceState,
    props: Record<string, unknown>,
  ): string {
    const generated = `${stack.name}-${logicalId}-${rand(12)}`;
    switch (resource.type) {
      case 'AWS::S3::Bucket':
        return String(props.BucketName ?? generated.toLowerCase().slice(0, 63));
      case 'AWS::SQS::Queue': {
        const name = String(props.QueueName ?? generated.slice(0, 80));
        resource.attributes.QueueName = name;
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      }
      case 'AWS::IAM::AccessKey':
        resource.attributes.SecretAccessKey = randomBytes(30).toString('base64');
        return `AKIA${rand(16)}`;
      case 'AWS::SecretsManager::Secret': {
        const name = String(props.Name ?? `${logicalId}-${rand(12)}`);
        const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${rand(6)}`;
        const generate = props.GenerateSecretString as Record<string, unknown> | undefined;
        let value = String(props.SecretString ?? '');
        if (generate !== undefined) {
          const base = JSON.parse(String(generate.SecretStringTemplate ?? '{}')) as Record<string, unknown>;
          base[String(generate.GenerateStringKey ?? 'password')] = randomBytes(24).toString('base64url');
          value = JSON.stringify(base);
        }
        this.account.putSecret(arn, name, value);
        return arn;
      }
      case 'AWS::SSM::Parameter': {
        const name = String(props.Name ?? `CFN-${logicalId}-${rand(12)}`);
        this.account.putParameter(name, String(props.Value ?? ''));
        return name;
      }
      case 'AWS::EC2::SecurityGroup':
        resource.attributes.GroupId = `sg-${rand(17).toLowerCase()}`;
        return resource.attributes.GroupId;
      case 'AWS::RDS::DBInstance':
        resource.attributes['Endpoint.Port'] = defaultPort(resource.type, props);
        return generated.toLowerCase().slice(0, 63);
      case 'AWS::ElastiCache::ReplicationGroup':
        resource.attributes['PrimaryEndPoint.Port'] = defaultPort(resource.type, props);
        return generated.toLowerCase().slice(0, 40);
      default:
        return generated;
    }
  }

  private destroy(resource: ResourceState): void {
    if (resource.physicalId === undefined) return;
    if (resource.type === 'AWS::SecretsManager::Secret') this.account.deleteSecret(resource.physicalId);
    if (resource.type === 'AWS::SSM::Parameter') this.account.deleteParameter(resource.physicalId);
  }

  private attribute(stack: FakeStack, logicalId: string, attribute: string): string {
    const resource = stack.resources.get(logicalId);
    if (resource?.physicalId === undefined) throw new Error(`resource ${logicalId} does not exist`);
    const pinned = this.attributeOverrides.get(resource.type)?.[attribute];
    if (pinned !== undefined) return pinned;
    const known = resource.attributes[attribute];
    if (known !== undefined) return known;
    const id = resource.physicalId;
    const derived: Record<string, Record<string, string>> = {
      'AWS::S3::Bucket': {
        Arn: `arn:aws:s3:::${id}`,
        DomainName: `${id}.s3.amazonaws.com`,
        RegionalDomainName: `${id}.s3.${REGION}.amazonaws.com`,
      },
      'AWS::SQS::Queue': { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${id.split('/').pop()}` },
      'AWS::DynamoDB::Table': { Arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}` },
      'AWS::RDS::DBInstance': { 'Endpoint.Address': `${id}.c0ffee00.${REGION}.rds.amazonaws.com` },
      'AWS::ElastiCache::ReplicationGroup': {
        'PrimaryEndPoint.Address': `master.${id}.abc123.euw1.cache.amazonaws.com`,
      },
    };
    const value = derived[resource.type]?.[attribute];
    if (value === undefined) throw new Error(`the fake knows no attribute ${attribute} of ${resource.type}`);
    return value;
  }

  private computeOutputs(stack: FakeStack): FakeStack['outputs'] {
    const scope = this.scope(stack);
    const outputs = (stack.template.Outputs ?? {}) as Record<
      string,
      { Value: unknown; Condition?: string; Description?: string }
    >;
    return Object.entries(outputs)
      .filter(([, o]) => o.Condition === undefined || scope.condition(o.Condition))
      .map(([key, o]) => ({
        OutputKey: key,
        OutputValue: String(evaluate(o.Value, scope)),
        ...(o.Description === undefined ? {} : { Description: o.Description }),
      }));
  }

  private stackEvent(stack: FakeStack, status: string, reason?: string): void {
    stack.status = status;
    if (reason === undefined) delete stack.reason;
    else stack.reason = reason;
    this.push(stack, {
      LogicalResourceId: stack.name,
      PhysicalResourceId: stack.id,
      ResourceType: 'AWS::CloudFormation::Stack',
      ResourceStatus: status,
      ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
    });
  }

  private resourceEvent(
    stack: FakeStack,
    logicalId: string,
    resource: ResourceState,
    status: string,
    reason?: string,
  ): void {
    resource.status = status;
    this.push(stack, {
      LogicalResourceId: logicalId,
      PhysicalResourceId: resource.physicalId ?? '',
      ResourceType: resource.type,
      ResourceStatus: status,
      ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
    });
  }

  private push(
    stack: FakeStack,
    event: Omit<StackEventRecord, 'EventId' | 'StackId' | 'StackName' | 'Timestamp' | 'ClientRequestToken'>,
  ): void {
    stack.events.unshift({
      EventId: randomUUID(),
      StackId: stack.id,
      StackName: stack.name,
      Timestamp: now(),
      ...event,
      ...(stack.token === undefined ? {} : { ClientRequestToken: stack.token }),
    });
  }
}

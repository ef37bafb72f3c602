import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CfnError, type FakeStack, FakeCloudFormation } from './fake-cloudformation.ts';
import { memberList, queryError, queryResponse, type XmlNode } from './query-xml.ts';

export type LambdaHandler = (event: Record<string, unknown>) => Promise<unknown>;

export interface FakeAwsOptions {
  /** Time between two resource transitions of a stack. */
  stepMs?: number;
}

/**
 * A fake AWS account on one local endpoint, over the real wire protocols: CloudFormation (query/XML),
 * SSM and Secrets Manager (JSON 1.1), Lambda Invoke (REST JSON) and enough S3 (ListObjectsV2, GetObject)
 * to read templates. Point every SDK client's `endpoint` at `url`.
 */
/** Key id of the temporary credentials the fake STS issues. */
export const ASSUMED_ACCESS_KEY_ID = 'ASIAASSUMEDROLE';

export class FakeAws {
  readonly cloudFormation: FakeCloudFormation;
  readonly secrets = new Map<string, { name: string; value: string }>();
  readonly parameters = new Map<string, string>();
  readonly lambdas = new Map<string, LambdaHandler>();
  readonly objects = new Map<string, string>();
  /** Every request by action / target, in order: what the client actually sent. */
  readonly calls: string[] = [];
  /** The access key id that signed each query-protocol call, in order (to see which credentials were used). */
  readonly signers: string[] = [];
  /** AssumeRole requests: the role and session name asked for. */
  readonly assumedRoles: Array<{ roleArn: string; sessionName: string }> = [];
  private throttles: Array<{ action?: string; remaining: number }> = [];
  private server: Server | undefined;
  url = '';

  constructor(options: FakeAwsOptions = {}) {
    this.cloudFormation = new FakeCloudFormation(
      {
        putSecret: (arn, name, value) => this.secrets.set(arn, { name, value }),
        deleteSecret: (arn) => this.secrets.delete(arn),
        putParameter: (name, value) => this.parameters.set(name, value),
        deleteParameter: (name) => this.parameters.delete(name),
      },
      options.stepMs ?? 15,
    );
  }

  /** The next `count` requests (of `action`, or any) answer with CloudFormation's throttling error. */
  throttle(count: number, action?: string): void {
    this.throttles.push({ remaining: count, ...(action === undefined ? {} : { action }) });
  }

  clearThrottles(): void {
    this.throttles = [];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.cloudFormation.close();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  private throttled(action: string): boolean {
    const rule = this.throttles.find((t) => t.remaining > 0 && (t.action === undefined || t.action === action));
    if (rule === undefined) return false;
    rule.remaining--;
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') return this.json(target, body, res);
    const lambda = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    if (req.method === 'POST' && lambda !== null)
      return this.invoke(decodeURIComponent(lambda[1] as string), body, res);
    if (req.method === 'POST' && String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      const signer = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
      return this.query(new URLSearchParams(body), res, signer);
    }
    if (req.method === 'GET') return this.s3(url, res);
    res.writeHead(404).end();
  }

  // --- CloudFormation (query protocol) ---

  private query(form: URLSearchParams, res: ServerResponse, signer: string): void {
    const action = form.get('Action') ?? '';
    this.calls.push(action);
    this.signers.push(signer);
    if (action === 'AssumeRole') {
      this.assumeRole(form, res);
      return;
    }
    const requestId = randomUUID();
    let status = 200;
    let text: string;
    if (this.throttled(action)) {
      status = 400;
      text = queryError('Throttling', 'Rate exceeded', requestId);
    } else {
      try {
        text = queryResponse(action, this.cfnAction(action, form), requestId);
      } catch (error) {
        if (!(error instanceof CfnError)) throw error;
        status = error.status;
        text = queryError(error.code, error.message, requestId);
      }
    }
    res.writeHead(status, { 'content-type': 'text/xml' }).end(text);
  }

  // --- STS (query protocol): AssumeRole hands out temporary credentials with their own key id ---

  private assumeRole(form: URLSearchParams, res: ServerResponse): void {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    this.assumedRoles.push({ roleArn, sessionName });
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const text = queryResponse(
      'AssumeRole',
      {
        Credentials: {
          AccessKeyId: ASSUMED_ACCESS_KEY_ID,
          SecretAccessKey: 'assumed-secret',
          SessionToken: 'assumed-session-token',
          Expiration: expiration,
        },
        AssumedRoleUser: { Arn: `${roleArn}/${sessionName}`, AssumedRoleId: `AROAFAKE:${sessionName}` },
      },
      randomUUID(),
    );
    res.writeHead(200, { 'content-type': 'text/xml' }).end(text);
  }

  private cfnAction(action: string, form: URLSearchParams): XmlNode | undefined {
    const cfn = this.cloudFormation;
    const input = () => ({
      StackName: form.get('StackName') ?? '',
      ...(form.get('TemplateBody') === null ? {} : { TemplateBody: form.get('TemplateBody') as string }),
      Parameters: memberList(form, 'Parameters'),
      Tags: memberList(form, 'Tags'),
      Capabilities: memberList(form, 'Capabilities').map((c) => c[''] as string),
      ...(form.get('ClientRequestToken') === null
        ? {}
        : { ClientRequestToken: form.get('ClientRequestToken') as string }),
    });
    switch (action) {
      case 'CreateStack':
        return { StackId: cfn.create(input()).id };
      case 'UpdateStack':
        return { StackId: cfn.update(input()).id };
      case 'DeleteStack':
        cfn.delete(form.get('StackName') ?? '', form.get('ClientRequestToken') ?? undefined);
        return undefined;
      case 'DescribeStacks':
        return { Stacks: cfn.describe(form.get('StackName') ?? undefined).map(stackXml) };
      case 'DescribeStackEvents': {
        const all = cfn.events(form.get('StackName') ?? '');
        const pageSize = 20;
        const start = Number(form.get('NextToken') ?? 0);
        const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
        return { StackEvents: all.slice(start, start + pageSize) as unknown as XmlNode[], NextToken: next };
      }
      default:
        throw new CfnError('InvalidAction', `Could not find operation ${action} for version 2010-05-15`);
    }
  }

  // --- SSM and Secrets Manager (JSON 1.1) ---

  private json(target: string, body: string, res: ServerResponse): void {
    this.calls.push(target);
    const [status, payload] = this.jsonAction(target, JSON.parse(body || '{}') as Record<string, string>);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
  }

  private jsonAction(target: string, input: Record<string, string>): [number, unknown] {
    if (this.throttled(target)) return [400, { __type: 'ThrottlingException', message: 'Rate exceeded' }];
    if (target === 'AmazonSSM.GetParameter') {
      const value = this.parameters.get(input.Name ?? '');
      if (value === undefined) return [400, { __type: 'ParameterNotFound', message: '' }];
      return [200, { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } }];
    }
    if (target === 'secretsmanager.GetSecretValue') {
      const id = input.SecretId ?? '';
      const found = [...this.secrets].find(([arn, s]) => arn === id || s.name === id);
      if (found === undefined) {
        return [
          400,
          { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." },
        ];
      }
      const [arn, secret] = found;
      return [200, { ARN: arn, Name: secret.name, SecretString: secret.value, VersionId: randomUUID() }];
    }
    return [400, { __type: 'UnknownOperationException', message: target }];
  }

  // --- Lambda Invoke (REST JSON) ---

  private async invoke(name: string, body: string, res: ServerResponse): Promise<void> {
    this.calls.push(`Invoke ${name}`);
    const handler = this.lambdas.get(name);
    if (handler === undefined) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
      return;
    }
    try {
      const result = await handler(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
      res.end(JSON.stringify(result ?? null));
    } catch (error) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
      res.end(JSON.stringify({ errorType: 'Error', errorMessage: (error as Error).message }));
    }
  }

  // --- S3 (path style) ---

  private s3(url: URL, res: ServerResponse): void {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    if (key === '' && url.searchParams.get('list-type') === '2') {
      this.calls.push('ListObjectsV2');
      const prefix = url.searchParams.get('prefix') ?? '';
      const keys = [...this.objects.keys()]
        .filter((k) => k.startsWith(`${bucket}/${prefix}`))
        .map((k) => k.slice(bucket.length + 1));
      const contents = keys.map(
        (k) => `<Contents><Key>${k}</Key><Size>${this.objects.get(`${bucket}/${k}`)?.length}</Size></Contents>`,
      );
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`,
      );
      return;
    }
    this.calls.push('GetObject');
    const object = this.objects.get(`${bucket}/${key}`);
    if (object === undefined) {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(object);
  }
}

function stackXml(stack: FakeStack): XmlNode {
  return {
    StackId: stack.id,
    StackName: stack.name,
    StackStatus: stack.status,
    StackStatusReason: stack.reason,
    CreationTime: stack.creationTime,
    LastUpdatedTime: stack.lastUpdatedTime,
    DeletionTime: stack.deletionTime,
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Outputs: stack.outputs as unknown as XmlNode[],
    Tags: stack.tags as unknown as XmlNode[],
    Capabilities: ['CAPABILITY_IAM'],
  };
}

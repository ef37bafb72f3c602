import {
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Parameter,
  type Stack,
  type StackEvent,
  type Tag,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { errors } from '../../plugin-api/index.ts';
import { type RetryPolicy, withRetry } from './aws-retry.ts';

const MAX_EVENT_PAGES = 5;

function errorName(error: unknown): string {
  return (error as { name?: string })?.name ?? '';
}

function isMissingStack(error: unknown): boolean {
  return errorName(error) === 'ValidationError' && /does not exist/.test((error as Error).message);
}

/** AWS's own message, kept; 4xx answers are the request's fault, the rest the backend's. */
function translate(what: string, error: unknown): Error {
  if ((error as { name?: string }).name === 'BackendError') return error as Error;
  const message = `${what}: ${(error as Error).message}`;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) return errors.badRequest(message, { cause: error });
  return errors.internal(message, { cause: error });
}

export interface CreateStackInput {
  stackName: string;
  templateBody: string;
  parameters: Parameter[];
  tags: Tag[];
  requestToken: string;
}

export type UpdateResult = 'started' | 'no-updates';

/** What CreateStack and UpdateStack are both given for a stack. */
function stackFields(input: CreateStackInput) {
  return {
    StackName: input.stackName,
    TemplateBody: input.templateBody,
    Parameters: input.parameters,
    Tags: input.tags,
    Capabilities: ['CAPABILITY_IAM' as const, 'CAPABILITY_NAMED_IAM' as const],
    ClientRequestToken: input.requestToken,
  };
}

/** CloudFormation stack calls, each retried on throttling within the caller's deadline. */
export class Stacks {
  constructor(
    private readonly client: CloudFormationClient,
    private readonly retry: RetryPolicy,
  ) {}

  private call<T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    return withRetry(what, this.retry, signal, run);
  }

  /** Returns the stack id; a stack that already exists (a repeated create) answers with its id. */
  async create(input: CreateStackInput, signal: AbortSignal): Promise<string> {
    try {
      const out = await this.call('CreateStack', signal, () =>
        this.client.send(new CreateStackCommand({ ...stackFields(input), OnFailure: 'ROLLBACK' }), {
          abortSignal: signal,
        }),
      );
      return out.StackId ?? input.stackName;
    } catch (error) {
      if (errorName(error) === 'AlreadyExistsException') {
        const existing = await this.describe(input.stackName, signal);
        if (existing?.StackId !== undefined) return existing.StackId;
      }
      throw translate('CreateStack', error);
    }
  }

  async update(input: CreateStackInput, signal: AbortSignal): Promise<UpdateResult> {
    try {
      await this.call('UpdateStack', signal, () =>
        this.client.send(new UpdateStackCommand(stackFields(input)), { abortSignal: signal }),
      );
      return 'started';
    } catch (error) {
      if (errorName(error) === 'ValidationError' && /No updates are to be performed/i.test((error as Error).message)) {
        return 'no-updates';
      }
      if (isMissingStack(error)) throw errors.notFound(`UpdateStack: ${(error as Error).message}`, { cause: error });
      if (errorName(error) === 'ValidationError' && /_IN_PROGRESS state/.test((error as Error).message)) {
        throw errors.concurrency(`UpdateStack: ${(error as Error).message}`, { cause: error });
      }
      throw translate('UpdateStack', error);
    }
  }

  async delete(stackName: string, requestToken: string, signal: AbortSignal): Promise<void> {
    try {
      await this.call('DeleteStack', signal, () =>
        this.client.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: requestToken }), {
          abortSignal: signal,
        }),
      );
    } catch (error) {
      if (!isMissingStack(error)) throw translate('DeleteStack', error);
    }
  }

  /** The stack by name or id; `undefined` when CloudFormation says it does not exist. */
  async describe(stackNameOrId: string, signal: AbortSignal): Promise<Stack | undefined> {
    try {
      const out = await this.call('DescribeStacks', signal, () =>
        this.client.send(new DescribeStacksCommand({ StackName: stackNameOrId }), { abortSignal: signal }),
      );
      return out.Stacks?.[0];
    } catch (error) {
      if (isMissingStack(error)) return undefined;
      throw translate('DescribeStacks', error);
    }
  }

  /** Events of the operation started with `requestToken` (newest first, as CloudFormation lists them). */
  async eventsOf(stackId: string, requestToken: string, signal: AbortSignal): Promise<StackEvent[]> {
    const matching: StackEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_EVENT_PAGES; page++) {
      const out = await this.call('DescribeStackEvents', signal, () =>
        this.client.send(
          new DescribeStackEventsCommand({
            StackName: stackId,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
          { abortSignal: signal },
        ),
      ).catch((error: unknown) => {
        if (isMissingStack(error)) return { StackEvents: [], NextToken: undefined };
        throw translate('DescribeStackEvents', error);
      });
      const events = out.StackEvents ?? [];
      const ours = events.filter((e) => e.ClientRequestToken === requestToken);
      matching.push(...ours);
      // Older operations follow once the page holds events of another token after ours.
      if (ours.length > 0 && ours.length < events.length) break;
      nextToken = out.NextToken;
      if (nextToken === undefined) break;
    }
    return matching;
  }
}

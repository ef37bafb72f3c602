import { type Static, Type } from '../../plugin-api/index.ts';

export const AwsOptionsSchema = Type.Object(
  {
    region: Type.String({ minLength: 1, description: 'AWS region the stacks are created in, e.g. eu-west-1.' }),
    templates: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Directory of CloudFormation templates (YAML or JSON), relative to the config file. Default: the templates shipped in templates/aws/. Ignored when templatesBucket is set.',
      }),
    ),
    templatesBucket: Type.Optional(
      Type.String({ minLength: 1, description: 'S3 bucket holding the templates (read at the first catalog call).' }),
    ),
    templatesPrefix: Type.Optional(
      Type.String({ description: 'Key prefix of the templates inside templatesBucket, e.g. "templates/".' }),
    ),
    endpoint: Type.Optional(
      Type.String({
        format: 'uri',
        description:
          'Custom endpoint URL for every AWS client (CloudFormation, S3, SSM, Secrets Manager, Lambda, STS).',
      }),
    ),
    roleArn: Type.Optional(
      Type.String({
        pattern: '^arn:[^:]+:iam::[0-9]{12}:role/.+$',
        description: 'IAM role to assume (sts:AssumeRole) for every call of this backend.',
      }),
    ),
    credentials: Type.Optional(
      Type.Object(
        {
          accessKeyId: Type.String({ minLength: 1, description: 'Access key id.' }),
          secretAccessKey: Type.String({ minLength: 1, description: 'Secret access key.' }),
          sessionToken: Type.Optional(Type.String({ description: 'Session token of temporary credentials.' })),
        },
        { description: 'Static credentials. Default: the SDK default chain (env, shared files, SSO, IMDS, IRSA).' },
      ),
    ),
    parameters: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]),
        {
          description:
            'Template parameter values the operator sets for every template that declares them (e.g. VpcId, SubnetIds, BindHookFunction); they leave the published schemas and users cannot override them. A plan that fixes the same parameter wins.',
        },
      ),
    ),
    stackPrefix: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z][A-Za-z0-9-]{0,63}$',
        description: 'Prefix of every stack name; the rest is derived from the instance id. Default "omnibroker-".',
      }),
    ),
    retry: Type.Optional(
      Type.Object(
        {
          baseDelayMs: Type.Optional(Type.Integer({ minimum: 1, description: 'First backoff delay. Default 200.' })),
          maxDelayMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest backoff delay. Default 5000.' })),
          maxAttempts: Type.Optional(Type.Integer({ minimum: 1, description: 'Attempts per AWS call. Default 8.' })),
        },
        { description: 'Retries of throttled and transient AWS errors, always within the call deadline.' },
      ),
    ),
  },
  { additionalProperties: false },
);

export type AwsOptions = Static<typeof AwsOptionsSchema>;

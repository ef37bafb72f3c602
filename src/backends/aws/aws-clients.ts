import { CloudFormationClient, type CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  roleArn?: string;
  roleSessionName: string;
}

export interface AwsClients {
  cloudFormation: CloudFormationClient;
  s3: S3Client;
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
  lambda: LambdaClient;
}

function credentialsFor(options: AwsClientOptions): CloudFormationClientConfig['credentials'] {
  const base = options.credentials;
  if (options.roleArn === undefined) return base;
  return fromTemporaryCredentials({
    params: { RoleArn: options.roleArn, RoleSessionName: options.roleSessionName },
    ...(base === undefined ? {} : { masterCredentials: base }),
    clientConfig: { region: options.region, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) },
  });
}

/** One set of clients per backend; the SDK's own retries are off because `withRetry` bounds them by the deadline. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const credentials = credentialsFor(options);
  const common = {
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  };
  return {
    cloudFormation: new CloudFormationClient(common),
    s3: new S3Client({ ...common, forcePathStyle: options.endpoint !== undefined }),
    ssm: new SSMClient(common),
    secretsManager: new SecretsManagerClient(common),
    lambda: new LambdaClient(common),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}

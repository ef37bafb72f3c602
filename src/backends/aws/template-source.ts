import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { parseTemplate } from './template-yaml.ts';
import { readServiceTemplate, type ServiceTemplate } from './template-spec.ts';

const TEMPLATE_FILE = /\.(ya?ml|json|template)$/i;

function load(source: string, body: string): ServiceTemplate {
  let template: ReturnType<typeof parseTemplate>;
  try {
    template = parseTemplate(body);
  } catch (error) {
    throw new Error(`${source}: ${(error as Error).message}`);
  }
  return readServiceTemplate(source, body, template);
}

export async function templatesFromDirectory(directory: string): Promise<ServiceTemplate[]> {
  const names = (await readdir(directory)).filter((name) => TEMPLATE_FILE.test(name)).sort();
  return Promise.all(names.map(async (name) => load(name, await readFile(join(directory, name), 'utf8'))));
}

export async function templatesFromBucket(
  s3: S3Client,
  bucket: string,
  prefix: string,
  signal?: AbortSignal,
): Promise<ServiceTemplate[]> {
  const keys: string[] = [];
  let continuation: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(continuation === undefined ? {} : { ContinuationToken: continuation }),
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined && TEMPLATE_FILE.test(object.Key)) keys.push(object.Key);
    }
    continuation = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuation !== undefined);
  keys.sort();
  return Promise.all(
    keys.map(async (key) => {
      const object = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      const body = (await object.Body?.transformToString('utf8')) ?? '';
      return load(`s3://${bucket}/${key}`, body);
    }),
  );
}

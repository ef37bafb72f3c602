import { createHash } from 'node:crypto';

export interface PushedBlob {
  mediaType: string;
  bytes: Buffer;
}

export interface Artifact {
  /** e.g. `bitnamicharts/mariadb` */
  repository: string;
  tag: string;
  config: PushedBlob;
  layers: PushedBlob[];
  annotations?: Record<string, string>;
}

const descriptor = ({ mediaType, bytes }: PushedBlob) => ({
  mediaType,
  digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
  size: bytes.length,
});

async function ok(response: Response, what: string): Promise<Response> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/**
 * Pushes an artifact the way `helm push` / oras do: a push token from the registry's token service, each blob by
 * the monolithic upload (POST, then PUT ?digest=), then the OCI image manifest under the tag.
 */
export async function pushArtifact(
  registryUrl: string,
  pusher: { username: string; password: string },
  artifact: Artifact,
): Promise<void> {
  const { repository } = artifact;
  const basic = Buffer.from(`${pusher.username}:${pusher.password}`).toString('base64');
  const tokenUrl = `${registryUrl}/token?service=fake-oci-registry&scope=repository:${repository}:pull,push`;
  const { token } = (await (
    await ok(await fetch(tokenUrl, { headers: { authorization: `Basic ${basic}` } }), 'push token')
  ).json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  for (const blob of [artifact.config, ...artifact.layers]) {
    const started = await ok(
      await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers }),
      'start upload',
    );
    const location = new URL(started.headers.get('location') ?? '', registryUrl);
    location.searchParams.set('digest', descriptor(blob).digest);
    await ok(
      await fetch(location, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: new Uint8Array(blob.bytes),
      }),
      'upload blob',
    );
  }
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = {
    schemaVersion: 2,
    mediaType,
    config: descriptor(artifact.config),
    layers: artifact.layers.map(descriptor),
    ...(artifact.annotations === undefined ? {} : { annotations: artifact.annotations }),
  };
  await ok(
    await fetch(`${registryUrl}/v2/${repository}/manifests/${artifact.tag}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': mediaType },
      body: JSON.stringify(manifest),
    }),
    'push manifest',
  );
}

/** `helm push <chart>.tgz oci://<registry>/<path>`: Chart.yaml as the config, the archive as the one layer. */
export function pushChart(
  registryUrl: string,
  pusher: { username: string; password: string },
  chart: { path: string; metadata: Record<string, unknown> & { name: string; version: string }; archive: Buffer },
): Promise<void> {
  const { name, version, description } = chart.metadata;
  return pushArtifact(registryUrl, pusher, {
    repository: chart.path === '' ? name : `${chart.path}/${name}`,
    // OCI tags cannot hold `+` (helm/helm#10166).
    tag: version.replaceAll('+', '_'),
    config: {
      mediaType: 'application/vnd.cncf.helm.config.v1+json',
      bytes: Buffer.from(JSON.stringify(chart.metadata)),
    },
    layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', bytes: chart.archive }],
    annotations: {
      'org.opencontainers.image.title': name,
      'org.opencontainers.image.version': version,
      ...(typeof description === 'string' ? { 'org.opencontainers.image.description': description } : {}),
    },
  });
}

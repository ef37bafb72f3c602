// The registry side of the stub helm: `helm registry login` and reading an oci:// chart's Chart.yaml (its config
// blob), over the OCI Distribution API with Docker token auth, as helm (oras-go) does. Logins are kept like helm's
// registry/config.json (`{ auths: { <host>: { auth: base64(user:password) } } }`) under $FAKE_HELM_STATE_DIR.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const loginsFile = (stateDir) => join(stateDir, 'registry-config.json');
const readLogins = (stateDir) =>
  existsSync(loginsFile(stateDir)) ? JSON.parse(readFileSync(loginsFile(stateDir), 'utf8')) : { auths: {} };

function challenge(response) {
  const header = response.headers.get('www-authenticate') ?? '';
  const param = (key) => new RegExp(`${key}="([^"]*)"`).exec(header)?.[1];
  return { realm: param('realm'), service: param('service'), scope: param('scope') };
}

/** GET, and on a Bearer challenge one token exchange (with the basic credential, if any) and one retry. */
async function authorizedGet(url, basic, accept) {
  const first = await fetch(url, { headers: { accept } });
  if (first.status !== 401) return first;
  const { realm, service, scope } = challenge(first);
  if (!realm) return first;
  const tokenUrl = new URL(realm);
  if (service) tokenUrl.searchParams.set('service', service);
  if (scope) tokenUrl.searchParams.set('scope', scope);
  const tokenAnswer = await fetch(tokenUrl, basic ? { headers: { authorization: `Basic ${basic}` } } : {});
  if (!tokenAnswer.ok) return tokenAnswer;
  const { token } = await tokenAnswer.json();
  return fetch(url, { headers: { accept, authorization: `Bearer ${token}` } });
}

const scheme = (plainHttp) => (plainHttp ? 'http' : 'https');

/** `undefined` on success, else helm's error text. */
export async function registryLogin(stateDir, { host, username, password, plainHttp }) {
  const url = `${scheme(plainHttp)}://${host}/v2/`;
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  let response;
  try {
    response = await authorizedGet(url, basic, 'application/json');
  } catch (e) {
    return `Get "${url}": dial tcp ${host}: ${e.cause?.code ?? e.message}`;
  }
  if (!response.ok) return `login attempt to ${url} failed with status: ${response.status} ${response.statusText}`;
  const logins = readLogins(stateDir);
  logins.auths[host] = { auth: basic };
  writeFileSync(loginsFile(stateDir), JSON.stringify(logins, null, 2), { mode: 0o600 });
  return undefined;
}

/** The Chart.yaml (as JSON) of `oci://<host>/<repository>` at `version`: `{ metadata }` or `{ error }`. */
export async function ociChartMetadata(stateDir, chartRef, version, plainHttp) {
  const [, host, repository] = /^oci:\/\/([^/]+)\/(.+)$/.exec(chartRef) ?? [];
  if (!host) return { error: `invalid reference ${chartRef}` };
  const tag = version.replaceAll('+', '_');
  const basic = readLogins(stateDir).auths[host]?.auth;
  const base = `${scheme(plainHttp)}://${host}/v2/${repository}`;
  try {
    const manifest = await authorizedGet(`${base}/manifests/${tag}`, basic, OCI_MANIFEST);
    if (manifest.status === 404) return { error: `${host}/${repository}:${tag}: not found` };
    if (!manifest.ok) {
      return {
        error: `failed to perform "FetchReference" on source: GET "${base}/manifests/${tag}": response status code ${manifest.status}: ${await manifest.text()}`,
      };
    }
    const { config } = await manifest.json();
    if (config?.mediaType !== HELM_CONFIG) return { error: `${chartRef}:${tag} is not a Helm chart` };
    const blob = await authorizedGet(`${base}/blobs/${config.digest}`, basic, HELM_CONFIG);
    if (!blob.ok) return { error: `GET "${base}/blobs/${config.digest}": response status code ${blob.status}` };
    return { metadata: await blob.json() };
  } catch (e) {
    return { error: `Get "${base}/manifests/${tag}": ${e.cause?.code ?? e.message}` };
  }
}

import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { authenticationFailed } from './command-error.ts';

// SCRAM-SHA-256 on the server side (RFC 5802, RFC 7677), as mongod does it: it keeps only the salted keys.
export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/** mongod's default `scramSHA256IterationCount`. */
const ITERATIONS = 15_000;
const derive = promisify(pbkdf2);

export interface ScramCredentials {
  iterationCount: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();

// The drivers SASLprep the password; the passwords these tests use are printable ASCII, which SASLprep leaves as is.
export async function scramCredentials(password: string): Promise<ScramCredentials> {
  const salt = randomBytes(28);
  const salted = await derive(password, salt, ITERATIONS, 32, 'sha256');
  return {
    iterationCount: ITERATIONS,
    salt: salt.toString('base64'),
    storedKey: sha256(hmac(salted, 'Client Key')).toString('base64'),
    serverKey: hmac(salted, 'Server Key').toString('base64'),
  };
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) out.set(part.slice(0, equals), part.slice(equals + 1));
  }
  return out;
}

export interface ClientFirst {
  username: string;
  gs2Header: string;
  bare: string;
  nonce: string;
}

export function parseClientFirst(message: string): ClientFirst {
  // gs2 header: no channel binding ("n" or "y"), no authzid.
  const match = /^([ny]),,(.*)$/s.exec(message);
  const bare = match?.[2];
  const fields = attributes(bare ?? '');
  const username = fields.get('n');
  const nonce = fields.get('r');
  if (bare === undefined || username === undefined || nonce === undefined) throw authenticationFailed();
  return { username: username.replace(/=2C/g, ',').replace(/=3D/g, '='), gs2Header: `${match?.[1]},,`, bare, nonce };
}

/** One conversation: server-first message out, client proof checked, server signature out. */
export class ScramConversation {
  readonly serverFirst: string;
  private readonly nonce: string;

  constructor(
    private readonly client: ClientFirst,
    private readonly credentials: ScramCredentials,
  ) {
    this.nonce = client.nonce + randomBytes(24).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${credentials.salt},i=${credentials.iterationCount}`;
  }

  /** The server-final message (`v=<ServerSignature>`) when the ClientProof is right; AuthenticationFailed otherwise. */
  finish(clientFinal: string): string {
    const fields = attributes(clientFinal);
    const proof = Buffer.from(fields.get('p') ?? '', 'base64');
    const channelBinding = Buffer.from(fields.get('c') ?? '', 'base64').toString('utf8');
    if (channelBinding !== this.client.gs2Header || fields.get('r') !== this.nonce) throw authenticationFailed();
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
    const authMessage = `${this.client.bare},${this.serverFirst},${withoutProof}`;
    const storedKey = Buffer.from(this.credentials.storedKey, 'base64');
    const clientSignature = hmac(storedKey, authMessage);
    if (proof.length !== clientSignature.length) throw authenticationFailed();
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (clientSignature[i] ?? 0)));
    if (!timingSafeEqual(sha256(clientKey), storedKey)) throw authenticationFailed();
    return `v=${hmac(Buffer.from(this.credentials.serverKey, 'base64'), authMessage).toString('base64')}`;
  }
}

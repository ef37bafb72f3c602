import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, type JsonObject } from '../../plugin-api/index.ts';

/** The part of a Helm release (`helm status -o json`) the backend reads. */
export interface HelmRelease {
  name: string;
  namespace: string;
  version: number;
  info: { status: string; description?: string; notes?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
}

export interface ChartReference {
  /** `repo/chart`, the bare chart name together with `repo`, or `oci://<host>/<path>/<chart>`. */
  chart: string;
  repo?: string;
  version: string;
  /** An OCI registry served over plain HTTP (helm's `--plain-http`). */
  plainHttp?: boolean;
}

export interface RegistryLogin {
  /** `<host>[:port]` */
  host: string;
  username: string;
  password: string;
  plainHttp: boolean;
}

export interface HelmRunnerOptions {
  binary: string;
  kubeconfig?: string;
  timeoutMs: number;
}

interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

const NOT_FOUND = /release: not found|release not found|has no deployed releases/i;
const UNREACHABLE = /cluster unreachable|connection refused|no such host|i\/o timeout|dial tcp/i;

/** What helm said about a failure: stderr, else stdout, else the exit code. */
const failureText = (result: RunResult) => result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;

/** Spawns `helm` with an argument vector (never a shell string); values travel in a private temp file. */
export class HelmRunner {
  constructor(private readonly options: HelmRunnerOptions) {}

  /** `stdin` is helm's whole standard input (secrets that must not appear on the command line); none: empty. */
  private run(args: string[], signal: AbortSignal, stdin?: string): Promise<RunResult> {
    const argv = this.options.kubeconfig === undefined ? args : [...args, '--kubeconfig', this.options.kubeconfig];
    return new Promise((resolve, reject) => {
      const child = spawn(this.options.binary, argv, {
        stdio: ['pipe', 'pipe', 'pipe'],
        signal,
        timeout: this.options.timeoutMs,
      });
      // An early exit closes the pipe; the exit code and stderr tell what happened, not the EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.once('error', (cause: NodeJS.ErrnoException) => {
        if (cause.code === 'ENOENT' || cause.code === 'EACCES') {
          reject(
            errors.unavailable(`the helm binary "${this.options.binary}" cannot be run (${cause.code})`, { cause }),
          );
        } else if (cause.name === 'AbortError') {
          reject(errors.timeout(`helm ${args[0]} was aborted at the call deadline`, { cause }));
        } else {
          reject(errors.unavailable(`helm ${args[0]} failed to start: ${cause.message}`, { cause }));
        }
      });
      child.once('close', (code, killedBy) => {
        if (killedBy !== null) {
          reject(errors.timeout(`helm ${args[0]} did not finish within ${this.options.timeoutMs} ms (${killedBy})`));
        } else {
          resolve({ stdout, stderr, code: code ?? 1 });
        }
      });
    });
  }

  /** Runs and fails on a non-zero exit with helm's own message; `undefined` when helm says the release is absent. */
  private async runOrNotFound(args: string[], signal: AbortSignal): Promise<string | undefined> {
    const result = await this.run(args, signal);
    if (result.code === 0) return result.stdout;
    const message = failureText(result);
    if (NOT_FOUND.test(message)) return undefined;
    if (UNREACHABLE.test(message)) throw errors.unavailable(`helm ${args[0]}: ${message}`);
    throw errors.internal(`helm ${args[0]} failed: ${message}`);
  }

  private async withValuesFile<T>(values: JsonObject, work: (file: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'omnibroker-helm-'));
    const file = join(dir, 'values.json');
    try {
      // JSON is YAML, so helm reads it as a values file; 0600 because values may hold passwords.
      await writeFile(file, JSON.stringify(values), { mode: 0o600 });
      return await work(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private static chartArgs(ref: ChartReference): string[] {
    return [
      ref.chart,
      '--version',
      ref.version,
      ...(ref.repo === undefined ? [] : ['--repo', ref.repo]),
      ...(ref.plainHttp === true ? ['--plain-http'] : []),
    ];
  }

  /** `helm registry login`, the password on standard input (never on the command line, where `ps` shows it). */
  async registryLogin(login: RegistryLogin, signal: AbortSignal): Promise<void> {
    const args = ['registry', 'login', login.host, '--username', login.username, '--password-stdin'];
    const result = await this.run(login.plainHttp ? [...args, '--plain-http'] : args, signal, login.password);
    if (result.code !== 0) {
      const message = failureText(result);
      throw errors.unavailable(`helm registry login to ${login.host} as ${login.username} failed: ${message}`);
    }
  }

  /** `helm version --short` (`v3.x.y+g<commit>`); a failure names the binary, for `omnibroker doctor`. */
  async version(signal: AbortSignal): Promise<string> {
    const result = await this.run(['version', '--short'], signal);
    if (result.code !== 0) {
      const text = failureText(result);
      throw errors.unavailable(
        `the helm binary "${this.options.binary}" exited ${result.code} on version --short: ${text}`,
      );
    }
    return result.stdout.trim();
  }

  async install(
    release: string,
    ref: ChartReference,
    input: { namespace: string; labels: Record<string, string>; values: JsonObject },
    signal: AbortSignal,
  ): Promise<void> {
    const labels = Object.entries(input.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    await this.withValuesFile(input.values, (file) =>
      this.runOrNotFound(
        [
          'install',
          release,
          ...HelmRunner.chartArgs(ref),
          '--namespace',
          input.namespace,
          '--create-namespace',
          '--labels',
          labels,
          '--values',
          file,
          '--output',
          'json',
        ],
        signal,
      ),
    );
  }

  /** Upgrade keeping the values given before (re-applied onto the new chart's defaults) plus `values`. */
  async upgrade(
    release: string,
    ref: ChartReference,
    input: { namespace: string; values: JsonObject },
    signal: AbortSignal,
  ): Promise<boolean> {
    const out = await this.withValuesFile(input.values, (file) =>
      this.runOrNotFound(
        [
          'upgrade',
          release,
          ...HelmRunner.chartArgs(ref),
          '--namespace',
          input.namespace,
          '--reset-then-reuse-values',
          '--values',
          file,
          '--output',
          'json',
        ],
        signal,
      ),
    );
    return out !== undefined;
  }

  async status(release: string, namespace: string, signal: AbortSignal): Promise<HelmRelease | undefined> {
    const out = await this.runOrNotFound(['status', release, '--namespace', namespace, '--output', 'json'], signal);
    if (out === undefined) return undefined;
    try {
      return JSON.parse(out) as HelmRelease;
    } catch (cause) {
      throw errors.internal(`helm status printed no JSON: ${out.slice(0, 200)}`, { cause });
    }
  }

  /** `false` when there was no such release. */
  async uninstall(release: string, namespace: string, signal: AbortSignal): Promise<boolean> {
    return (await this.runOrNotFound(['uninstall', release, '--namespace', namespace], signal)) !== undefined;
  }

  async getValues(release: string, namespace: string, signal: AbortSignal): Promise<JsonObject | undefined> {
    const out = await this.runOrNotFound(
      ['get', 'values', release, '--namespace', namespace, '--output', 'json'],
      signal,
    );
    if (out === undefined) return undefined;
    const parsed: unknown = JSON.parse(out.trim() || 'null');
    return parsed !== null && typeof parsed === 'object' ? (parsed as JsonObject) : {};
  }
}

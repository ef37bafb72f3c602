export interface CliCommand {
  name: string;
  summary: string;
  /** Full help text shown by `omnibroker <name> --help`. */
  usage: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

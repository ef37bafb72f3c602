/** Turns the error text of a store or backend into the action that fixes it, naming the config field to change. */
export function fixFor(message: string, where: string): string | undefined {
  if (/ER_ACCESS_DENIED|Access denied/i.test(message)) {
    return `the server refused the user name or password: correct them in ${where} (check the secret the password is interpolated from)`;
  }
  if (/WRONGPASS|NOAUTH|invalid username-password|Authentication required/i.test(message)) {
    return `Redis refused the credentials: set the right password (or username) in ${where}`;
  }
  if (/ECONNREFUSED/.test(message)) {
    return `nothing listens at that address: start the server, or correct the host and port in ${where}`;
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) {
    return `the host name does not resolve: correct the host in ${where}, or check DNS from this machine`;
  }
  if (/ETIMEDOUT|EHOSTUNREACH|timed? ?out|did not answer|Command timed out/i.test(message)) {
    return `no answer in time: check that the server runs and that a firewall or network policy lets this host reach it (${where})`;
  }
  if (/\b(401|403)\b|unauthori[sz]ed|forbidden/i.test(message)) {
    return `the server refused our credentials: correct username/password or token in ${where}`;
  }
  if (/ResourceNotFoundException|table.*not found|Requested resource not found/i.test(message)) {
    return 'the DynamoDB table does not exist: run `omnibroker init-store` (or apply infra/terraform/aws)';
  }
  if (/credential|security token|signature/i.test(message)) {
    return 'AWS rejected or found no credentials: configure the default AWS credential chain (env vars, profile, IRSA role)';
  }
  return undefined;
}

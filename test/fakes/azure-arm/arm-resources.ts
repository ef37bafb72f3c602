/** Resource shapes of Microsoft.DBforMySQL/flexibleServers, API 2021-05-01, as ARM sends them. */

export const API_VERSION = '2021-05-01';
export const PROVIDER_PATH = 'providers/Microsoft.DBforMySQL';

export interface ArmError {
  code: string;
  message: string;
}

export interface FakeServer {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  sku: { name: string; tier: string };
  administratorLogin: string;
  /** Kept to play Azure's part inside the server (the admin account); never sent back. */
  administratorLoginPassword: string;
  version: string;
  state: string;
  provisioningState: string;
  storageGb: number;
  backupRetentionDays: number;
  highAvailability: string;
  network?: Record<string, unknown>;
  databases: Map<string, { charset: string; collation: string; ready: boolean }>;
  firewallRules: Map<string, { startIpAddress: string; endIpAddress: string; ready: boolean }>;
}

/** Azure lists these on every server; a broker must not mistake them for its own. */
export const SYSTEM_DATABASES = ['information_schema', 'mysql', 'performance_schema', 'sys'];

export function serverBody(server: FakeServer, fqdn: string): Record<string, unknown> {
  return {
    id: server.id,
    name: server.name,
    type: 'Microsoft.DBforMySQL/flexibleServers',
    location: server.location,
    tags: server.tags,
    sku: server.sku,
    systemData: { createdByType: 'Application', createdAt: new Date(0).toISOString() },
    properties: {
      administratorLogin: server.administratorLogin,
      version: server.version,
      state: server.state,
      provisioningState: server.provisioningState,
      fullyQualifiedDomainName: fqdn,
      availabilityZone: '1',
      replicationRole: 'None',
      replicaCapacity: 10,
      storage: {
        storageSizeGB: server.storageGb,
        iops: 360 + 3 * server.storageGb,
        autoGrow: 'Enabled',
        storageSku: 'Premium_LRS',
      },
      backup: {
        backupRetentionDays: server.backupRetentionDays,
        geoRedundantBackup: 'Disabled',
        earliestRestoreDate: new Date(0).toISOString(),
      },
      highAvailability: {
        mode: server.highAvailability,
        state: server.highAvailability === 'Disabled' ? 'NotEnabled' : 'Healthy',
        standbyAvailabilityZone: server.highAvailability === 'Disabled' ? '' : '2',
      },
      network: { publicNetworkAccess: server.network === undefined ? 'Enabled' : 'Disabled', ...server.network },
      maintenanceWindow: { customWindow: 'Disabled', dayOfWeek: 0, startHour: 0, startMinute: 0 },
    },
  };
}

export function childBody(
  server: FakeServer,
  kind: 'databases' | 'firewallRules',
  name: string,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: `${server.id}/${kind}/${name}`,
    name,
    type: `Microsoft.DBforMySQL/flexibleServers/${kind}`,
    properties,
  };
}

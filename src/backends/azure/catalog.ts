import type { Catalog, JsonObject, ServicePlan } from '../../plugin-api/index.ts';

/** Upstream ids never change (OSB-RULES 22): the broker namespaces them as `<backend>.<id>`. */
export const SERVICE_IDS = {
  server: 'mysql',
  dbms: 'mysql-dbms',
  database: 'mysql-database',
} as const;

export type ServiceRole = keyof typeof SERVICE_IDS;

/**
 * API 2021-05-01 (the one @azure/arm-mysql-flexible 3.x speaks) still calls the Business Critical tier
 * `MemoryOptimized`; later API versions renamed it. The plan is named after what the portal sells today.
 */
export const TIERS = {
  burstable: {
    tier: 'Burstable',
    title: 'Burstable',
    skus: ['Standard_B1s', 'Standard_B1ms', 'Standard_B2s', 'Standard_B2ms'],
    highAvailability: false,
  },
  'general-purpose': {
    tier: 'GeneralPurpose',
    title: 'General Purpose',
    skus: ['Standard_D2ds_v4', 'Standard_D4ds_v4', 'Standard_D8ds_v4', 'Standard_D16ds_v4'],
    highAvailability: true,
  },
  'business-critical': {
    tier: 'MemoryOptimized',
    title: 'Business Critical',
    skus: ['Standard_E2ds_v4', 'Standard_E4ds_v4', 'Standard_E8ds_v4', 'Standard_E16ds_v4'],
    highAvailability: true,
  },
} as const;

export type TierName = keyof typeof TIERS;

export const SERVER_VERSIONS = ['8.0.21', '5.7'] as const;
export const DEFAULT_SERVER_VERSION = '8.0.21';
export const HIGH_AVAILABILITY_MODES = ['Disabled', 'ZoneRedundant', 'SameZone'] as const;
export const STORAGE_GB = { minimum: 20, maximum: 16384, default: 20 } as const;
export const BACKUP_RETENTION_DAYS = { minimum: 1, maximum: 35, default: 7 } as const;
export const MAX_FIREWALL_RULES = 20;

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';
const ALIAS_PATTERN = '^[a-z0-9][a-z0-9-]{0,40}$';
const IPV4_PATTERN = '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$';

export function planId(role: ServiceRole, tier: TierName | 'database'): string {
  return `${SERVICE_IDS[role]}.${tier}`;
}

/** Parses a plan id of this backend; undefined for anything else. */
export function parsePlanId(id: string): { role: ServiceRole; tier: TierName | undefined } | undefined {
  const [service, tier] = id.split('.');
  const role = (Object.keys(SERVICE_IDS) as ServiceRole[]).find((r) => SERVICE_IDS[r] === service);
  if (role === undefined || tier === undefined) return undefined;
  if (role === 'database') return tier === 'database' ? { role, tier: undefined } : undefined;
  return tier in TIERS ? { role, tier: tier as TierName } : undefined;
}

function serverProperties(tier: TierName, forUpdate: boolean): JsonObject {
  const spec = TIERS[tier];
  const properties: JsonObject = {
    sku: {
      type: 'string',
      enum: [...spec.skus],
      description: `Compute size within the ${spec.title} tier; default ${spec.skus[0]} (${forUpdate ? 'resizes the server' : 'on create'})`,
    },
    storage_gb: {
      type: 'integer',
      minimum: STORAGE_GB.minimum,
      maximum: STORAGE_GB.maximum,
      description: `Storage size in GiB; can only grow${forUpdate ? '' : `; default ${STORAGE_GB.default}`}`,
    },
    backup_retention_days: {
      type: 'integer',
      minimum: BACKUP_RETENTION_DAYS.minimum,
      maximum: BACKUP_RETENTION_DAYS.maximum,
      description: `Days of point-in-time backups to keep${forUpdate ? '' : `; default ${BACKUP_RETENTION_DAYS.default}`}`,
    },
  };
  if (spec.highAvailability) {
    properties.high_availability = {
      type: 'string',
      enum: [...HIGH_AVAILABILITY_MODES],
      description: 'Standby replica: ZoneRedundant (another zone), SameZone, or Disabled (default)',
    };
  }
  if (!forUpdate) {
    properties.version = {
      type: 'string',
      enum: [...SERVER_VERSIONS],
      description: `MySQL server version; default ${DEFAULT_SERVER_VERSION}`,
    };
    properties.firewall_rules = {
      type: 'array',
      maxItems: MAX_FIREWALL_RULES,
      description: 'Public IPv4 ranges allowed to connect; default none (nothing is opened unless listed here)',
      items: {
        type: 'object',
        required: ['name', 'start_ip_address', 'end_ip_address'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,80}$', description: 'Rule name' },
          start_ip_address: { type: 'string', pattern: IPV4_PATTERN, description: 'First allowed IPv4 address' },
          end_ip_address: { type: 'string', pattern: IPV4_PATTERN, description: 'Last allowed IPv4 address' },
        },
      },
    };
  }
  return properties;
}

function objectSchema(properties: JsonObject, required: string[] = []): { parameters: JsonObject } {
  return {
    parameters: {
      $schema: DRAFT_04,
      type: 'object',
      additionalProperties: false,
      ...(required.length === 0 ? {} : { required }),
      properties,
    },
  };
}

const maintenanceInfo = {
  version: DEFAULT_SERVER_VERSION,
  description: `New servers run MySQL ${DEFAULT_SERVER_VERSION} unless the version parameter asks for 5.7`,
};

function tierPlan(role: 'server' | 'dbms', tier: TierName): ServicePlan {
  const spec = TIERS[tier];
  const create = serverProperties(tier, false);
  if (role === 'dbms') {
    create.alias = {
      type: 'string',
      pattern: ALIAS_PATTERN,
      description: 'Name by which database-only instances find this server (their parent_alias); unique per broker',
    };
  }
  return {
    id: planId(role, tier),
    name: tier,
    description: `${spec.title} tier (${spec.skus.join(', ')})`,
    free: false,
    bindable: role === 'server',
    plan_updateable: true,
    maintenance_info: maintenanceInfo,
    metadata: { displayName: spec.title, bullets: [`SKU tier ${spec.tier}`, `Sizes ${spec.skus.join(', ')}`] },
    schemas: {
      service_instance: {
        create: objectSchema(create, role === 'dbms' ? ['alias'] : []),
        update: objectSchema(serverProperties(tier, true)),
      },
    },
  };
}

const tierNames = Object.keys(TIERS) as TierName[];
const documentationUrl = 'https://learn.microsoft.com/azure/mysql/flexible-server/';
const tags = ['mysql', 'azure', 'database', 'relational'];

export const AZURE_CATALOG: Catalog = {
  services: [
    {
      id: SERVICE_IDS.server,
      name: 'mysql',
      description: 'Azure Database for MySQL Flexible Server with one database (server and database in one instance)',
      bindable: true,
      plan_updateable: true,
      tags,
      metadata: { displayName: 'Azure Database for MySQL', documentationUrl },
      plans: tierNames.map((t) => tierPlan('server', t)),
    },
    {
      id: SERVICE_IDS.dbms,
      name: 'mysql-dbms',
      description: 'An Azure Database for MySQL Flexible Server without databases; mysql-database instances live on it',
      bindable: false,
      plan_updateable: true,
      tags,
      metadata: { displayName: 'Azure Database for MySQL (server only)', documentationUrl },
      plans: tierNames.map((t) => tierPlan('dbms', t)),
    },
    {
      id: SERVICE_IDS.database,
      name: 'mysql-database',
      description: 'A database on a mysql-dbms instance named by its alias (parameter parent_alias)',
      bindable: true,
      plan_updateable: false,
      tags,
      metadata: { displayName: 'Azure Database for MySQL (database only)', documentationUrl },
      plans: [
        {
          id: planId('database', 'database'),
          name: 'database',
          description: 'A database on an existing mysql-dbms server; size and tier are the parent server’s',
          free: false,
          bindable: true,
          schemas: {
            service_instance: {
              create: objectSchema(
                {
                  parent_alias: {
                    type: 'string',
                    pattern: ALIAS_PATTERN,
                    description: 'alias of the mysql-dbms instance to create the database on',
                  },
                },
                ['parent_alias'],
              ),
            },
          },
        },
      ],
    },
  ],
};

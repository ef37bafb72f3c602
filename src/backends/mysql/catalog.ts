import type { Catalog, JsonObject } from '../../plugin-api/index.ts';

/** What a plan enforces on the server. `maxUserConnections` becomes MAX_USER_CONNECTIONS of every binding user. */
export interface PlanSettings {
  maxUserConnections: number | undefined;
}

export const SERVICE_ID = 'mysql';

export const PLAN_SETTINGS: Record<string, PlanSettings> = {
  shared: { maxUserConnections: undefined },
  'shared-small': { maxUserConnections: 5 },
};

/** Neither provision, update nor bind takes parameters; saying so lets the gateway reject them at the door. */
const noParameters: { parameters: JsonObject } = {
  parameters: {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: {},
    additionalProperties: false,
  },
};

const schemas = {
  service_instance: { create: noParameters, update: noParameters },
  service_binding: { create: noParameters },
};

export const MYSQL_CATALOG: Catalog = {
  services: [
    {
      id: SERVICE_ID,
      name: 'mysql',
      description: 'A database of its own on a shared MySQL/MariaDB server; a user of its own per binding',
      bindable: true,
      plan_updateable: false,
      tags: ['mysql', 'relational'],
      metadata: { displayName: 'Shared MySQL' },
      plans: [
        {
          id: 'shared',
          name: 'shared',
          description: 'A database on the shared server; connections limited only by the server',
          free: true,
          schemas,
          metadata: { bullets: ['Dedicated database, shared server', 'One user per binding'] },
        },
        {
          id: 'shared-small',
          name: 'shared-small',
          description: 'A database on the shared server; at most 5 concurrent connections per binding',
          free: true,
          schemas,
          metadata: { bullets: ['Dedicated database, shared server', 'MAX_USER_CONNECTIONS 5 per binding'] },
        },
      ],
    },
  ],
};

import type { Catalog } from 'omnibroker/plugin-api';

export const SERVICE_ID = 'postgresql-database';
export const PLAN_ID = 'standard';

export const POSTGRES_CATALOG: Catalog = {
  services: [
    {
      id: SERVICE_ID,
      name: 'postgresql',
      description: 'A PostgreSQL database of its own on a shared server; a login role per binding',
      bindable: true,
      tags: ['postgresql', 'sql', 'relational'],
      metadata: { displayName: 'PostgreSQL database' },
      plans: [
        {
          id: PLAN_ID,
          name: 'standard',
          description: 'One database on the shared server; every binding gets its own role owning the same objects',
          free: true,
          schemas: {
            service_instance: { create: { parameters: { type: 'object', additionalProperties: false } } },
            service_binding: { create: { parameters: { type: 'object', additionalProperties: false } } },
          },
        },
      ],
    },
  ],
};

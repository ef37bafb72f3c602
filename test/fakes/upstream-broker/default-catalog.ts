/** Two services, one bindable, in the shape a well-behaved OSB 2.17 broker publishes. */
export const DEFAULT_CATALOG = {
  services: [
    {
      id: 'svc-postgres',
      name: 'postgres',
      description: 'PostgreSQL databases on the upstream broker',
      bindable: true,
      instances_retrievable: true,
      bindings_retrievable: true,
      plan_updateable: true,
      tags: ['postgresql', 'relational'],
      metadata: { displayName: 'Upstream PostgreSQL', documentationUrl: 'https://upstream.example/docs' },
      plans: [
        {
          id: 'plan-small',
          name: 'small',
          description: 'One vCPU, 1 GiB',
          free: true,
          maintenance_info: { version: '1.2.0', description: 'PostgreSQL 16.4' },
          schemas: {
            service_instance: {
              create: {
                parameters: {
                  $schema: 'http://json-schema.org/draft-04/schema#',
                  type: 'object',
                  properties: { extensions: { type: 'array', items: { type: 'string' } } },
                  additionalProperties: false,
                },
              },
              update: {
                parameters: {
                  $schema: 'http://json-schema.org/draft-04/schema#',
                  type: 'object',
                  properties: { extensions: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
            service_binding: {
              create: {
                parameters: {
                  $schema: 'http://json-schema.org/draft-04/schema#',
                  type: 'object',
                  properties: { readOnly: { type: 'boolean' } },
                },
              },
            },
          },
        },
        {
          id: 'plan-large',
          name: 'large',
          description: 'Four vCPU, 16 GiB',
          free: false,
          maximum_polling_duration: 3600,
        },
      ],
    },
    {
      id: 'svc-queue',
      name: 'queue',
      description: 'A message queue that is not bindable',
      bindable: false,
      plan_updateable: false,
      tags: ['queue'],
      plans: [{ id: 'plan-standard', name: 'standard', description: 'The only plan' }],
    },
  ],
} as const;

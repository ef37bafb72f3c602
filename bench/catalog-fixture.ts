/** A large, CC-valid upstream catalog: services with plans and draft-04 parameter schemas until `bytes` is reached. */
const parametersSchema = (i: number) => ({
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  properties: {
    size: { type: 'integer', minimum: 1, maximum: 64, description: `Storage size in GiB for variant ${i}` },
    version: { type: 'string', enum: ['14', '15', '16'], description: 'Engine major version' },
    extensions: { type: 'array', items: { type: 'string' }, description: 'Extensions to enable at create time' },
  },
  additionalProperties: false,
});

const plan = (service: number, p: number) => ({
  id: `plan-${service}-${p}`,
  name: `plan-${p}`,
  description: `Plan ${p} of service ${service}: ${p + 1} vCPU, ${(p + 1) * 2} GiB memory, daily backups`,
  free: p === 0,
  metadata: { bullets: [`${p + 1} vCPU`, `${(p + 1) * 2} GiB`], displayName: `Plan ${p}` },
  schemas: { service_instance: { create: { parameters: parametersSchema(p) } } },
});

const service = (i: number) => ({
  id: `svc-${i}`,
  name: `service-${i}`,
  description: `Benchmark service number ${i}, a managed database with several sizes`,
  bindable: true,
  plan_updateable: true,
  instances_retrievable: true,
  bindings_retrievable: true,
  tags: ['bench', 'postgresql'],
  metadata: { displayName: `Service ${i}`, documentationUrl: 'https://bench.example/docs' },
  plans: Array.from({ length: 5 }, (_, p) => plan(i, p)),
});

export function bigCatalog(bytes: number): { services: unknown[] } {
  const services: unknown[] = [];
  let size = 0;
  while (size < bytes) {
    const next = service(services.length);
    services.push(next);
    size += JSON.stringify(next).length + 1;
  }
  return { services };
}

import type { Catalog, ServiceOffering } from '../../plugin-api/index.ts';

/** One backend's catalog under public ids: `<backend>.<id>`, service names `<prefix><name>`, plans' names kept. */
export function namespaceCatalog(backend: string, prefix: string, catalog: Catalog): ServiceOffering[] {
  const services = Array.isArray(catalog?.services) ? catalog.services : [];
  return services.map((service) => ({
    ...service,
    id: `${backend}.${service.id}`,
    name: `${prefix}${service.name}`,
    // The broker serves both from its own store, whatever the backend can do.
    instances_retrievable: true,
    bindings_retrievable: true,
    plans: (Array.isArray(service.plans) ? service.plans : []).map((plan) => ({
      ...plan,
      id: `${backend}.${plan.id}`,
    })),
  })) as ServiceOffering[];
}

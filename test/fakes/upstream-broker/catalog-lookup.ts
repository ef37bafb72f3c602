import type { JsonObject } from './state.ts';

/** Catalog lookups that tolerate any JSON (the catalog may be deliberately dirty). */
const asObject = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export interface PlanInfo {
  service: JsonObject;
  plan: JsonObject;
}

/** The plan, or the description of why the ids are not acceptable. */
export function findPlan(catalog: unknown, serviceId: string, planId: string): PlanInfo | string {
  const service = asArray(asObject(catalog)?.services)
    .map(asObject)
    .find((s) => s?.id === serviceId);
  if (service === undefined) return `service_id ${serviceId} is not in the catalog`;
  const plan = asArray(service.plans)
    .map(asObject)
    .find((p) => p?.id === planId);
  if (plan === undefined) return `plan_id ${planId} is not a plan of service ${serviceId}`;
  return { service, plan };
}

export const isBindable = ({ service, plan }: PlanInfo): boolean =>
  typeof plan.bindable === 'boolean' ? plan.bindable : service.bindable === true;

export const isPlanUpdateable = ({ service, plan }: PlanInfo): boolean =>
  typeof plan.plan_updateable === 'boolean' ? plan.plan_updateable : service.plan_updateable === true;

export const maintenanceVersion = ({ plan }: PlanInfo): string | undefined => {
  const version = asObject(plan.maintenance_info)?.version;
  return typeof version === 'string' ? version : undefined;
};

export { asObject };

import { errors, type JsonObject, type MaintenanceInfo } from '../plugin-api/index.ts';
import type { CatalogService, PlanEntry, SchemaKind } from './catalog/catalog-service.ts';

/** Empty strings count as missing (OSB-RULES 5). */
export function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw errors.badRequest(`${field} is required`);
  return value;
}

export function present(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `maintenance_info: {}` counts as not given. */
export function givenMaintenanceInfo(info: MaintenanceInfo | JsonObject | undefined): MaintenanceInfo | undefined {
  if (info === undefined || typeof info.version !== 'string' || info.version === '') return undefined;
  return info as MaintenanceInfo;
}

export function resolvePlan(catalog: CatalogService, serviceId: string, planId: string): PlanEntry {
  const service = catalog.service(serviceId);
  if (service === undefined) throw errors.badRequest(`service_id "${serviceId}" is not in the catalog`);
  const plan = catalog.plan(planId);
  if (plan === undefined) throw errors.badRequest(`plan_id "${planId}" is not in the catalog`);
  if (plan.publicServiceId !== serviceId) {
    throw errors.badRequest(`plan_id "${planId}" does not belong to service_id "${serviceId}"`);
  }
  return plan;
}

export function checkParameters(plan: PlanEntry, kind: SchemaKind, parameters: JsonObject): void {
  const problems = plan.check(kind)?.(parameters) ?? [];
  if (problems.length > 0) {
    throw errors.invalidParameters(`parameters do not match the plan's schema: ${problems.join('; ')}`);
  }
}

export function checkMaintenanceInfo(plan: PlanEntry, info: MaintenanceInfo | undefined): void {
  if (info === undefined) return;
  const offered = plan.plan.maintenance_info?.version;
  if (offered !== info.version) {
    throw errors.maintenanceInfoConflict(
      offered === undefined
        ? `plan "${plan.publicPlanId}" has no maintenance_info; maintenance_info.version ${info.version} is not offered`
        : `maintenance_info.version ${info.version} is not offered by plan "${plan.publicPlanId}" (it offers ${offered})`,
    );
  }
}

/** The deadline of an operation: the plan's maximum_polling_duration when shorter than the configured one. */
export function operationDeadlineMs(plan: PlanEntry | undefined, maxDurationMs: number): number {
  const planLimit = plan?.plan.maximum_polling_duration;
  return planLimit === undefined ? maxDurationMs : Math.min(planLimit * 1000, maxDurationMs);
}

import semver from 'semver';
import type { JsonObject, ServiceOffering, ServicePlan } from '../../plugin-api/index.ts';
import { cloudControllerSchema } from './cc-schema-rules.ts';

export interface CatalogAdjustment {
  backend: string;
  serviceId: string;
  planId?: string;
  action: 'rewritten' | 'dropped';
  reason: string;
}

const ALLOWED_REQUIRES = new Set(['syslog_drain', 'route_forwarding', 'volume_mount']);
const MAX_DESCRIPTION = 10_000;
const MAX_TAGS_CHARS = 2048;
const MAX_ID_OR_NAME = 255;
const MAX_MAINTENANCE_INFO_JSON = 2000;

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';

type Report = (adjustment: Omit<CatalogAdjustment, 'backend' | 'serviceId'> & { planId?: string }) => void;

function identityProblem(entry: { id?: unknown; name?: unknown; description?: unknown }): string | undefined {
  for (const field of ['id', 'name', 'description'] as const) {
    if (!isNonEmptyString(entry[field])) return `${field} is missing or not a string`;
  }
  if ((entry.id as string).length > MAX_ID_OR_NAME) return `id is longer than ${MAX_ID_OR_NAME} characters`;
  if ((entry.name as string).length > MAX_ID_OR_NAME) return `name is longer than ${MAX_ID_OR_NAME} characters`;
  return undefined;
}

function fitDescription(description: string, report: Report, planId?: string): string {
  if (description.length <= MAX_DESCRIPTION) return description;
  report({
    action: 'rewritten',
    reason: `description cut to ${MAX_DESCRIPTION} characters`,
    ...(planId === undefined ? {} : { planId }),
  });
  return description.slice(0, MAX_DESCRIPTION);
}

function fitMetadata(metadata: unknown, report: Report, planId?: string): JsonObject | undefined {
  if (metadata === undefined) return undefined;
  const where = planId === undefined ? {} : { planId };
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    report({ action: 'rewritten', reason: 'metadata is not an object; left out', ...where });
    return undefined;
  }
  const copy = { ...(metadata as JsonObject) };
  if ('documentationUrl' in copy && typeof copy.documentationUrl !== 'string') {
    delete copy.documentationUrl;
    report({ action: 'rewritten', reason: 'metadata.documentationUrl is not a string; left out', ...where });
  }
  return copy;
}

function fitMaintenanceInfo(plan: ServicePlan, report: Report): ServicePlan['maintenance_info'] {
  const info = plan.maintenance_info as unknown;
  if (info === undefined) return undefined;
  const planId = plan.id;
  if (info === null || typeof info !== 'object') {
    report({ planId, action: 'rewritten', reason: 'maintenance_info is not an object; left out' });
    return undefined;
  }
  const { version, description, ...extra } = info as JsonObject;
  if (typeof version !== 'string' || semver.valid(version) === null) {
    report({
      planId,
      action: 'rewritten',
      reason: `maintenance_info.version ${JSON.stringify(version)} is not semver; left out`,
    });
    return undefined;
  }
  if (Object.keys(extra).length > 0) {
    report({ planId, action: 'rewritten', reason: `maintenance_info keys ${Object.keys(extra).join(', ')} left out` });
  }
  const kept = typeof description === 'string' ? { version, description } : { version };
  if (JSON.stringify(kept).length > MAX_MAINTENANCE_INFO_JSON) {
    report({ planId, action: 'rewritten', reason: 'maintenance_info longer than 2000 characters; left out' });
    return undefined;
  }
  return kept;
}

function fitSchemas(plan: ServicePlan, report: Report): ServicePlan['schemas'] {
  const schemas = plan.schemas;
  if (schemas === undefined) return undefined;
  const planId = plan.id;
  const verdict = (where: string, holder: { parameters: JsonObject } | undefined) => {
    if (holder === undefined) return undefined;
    const parameters = holder.parameters as unknown;
    if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
      report({ planId, action: 'rewritten', reason: `${where} schema is not an object; not published` });
      return undefined;
    }
    const result = cloudControllerSchema(parameters as JsonObject);
    if (result.publish === undefined) {
      report({ planId, action: 'rewritten', reason: `${where} schema ${result.reason}; not published` });
      return undefined;
    }
    if (result.rewritten !== undefined)
      report({ planId, action: 'rewritten', reason: `${where} schema: ${result.rewritten}` });
    return { parameters: result.publish };
  };
  const create = verdict('service_instance.create', schemas.service_instance?.create);
  const update = verdict('service_instance.update', schemas.service_instance?.update);
  const bind = verdict('service_binding.create', schemas.service_binding?.create);
  const out: NonNullable<ServicePlan['schemas']> = {};
  if (create !== undefined || update !== undefined) {
    out.service_instance = { ...(create === undefined ? {} : { create }), ...(update === undefined ? {} : { update }) };
  }
  if (bind !== undefined) out.service_binding = { create: bind };
  return Object.keys(out).length === 0 ? undefined : out;
}

function fitPlan(plan: ServicePlan, report: Report): ServicePlan | undefined {
  const problem = identityProblem(plan);
  if (problem !== undefined) {
    report({ planId: String(plan.id), action: 'dropped', reason: `plan ${problem}` });
    return undefined;
  }
  const { secretParameters: _secret, ...published } = plan;
  const out: ServicePlan = { ...published, description: fitDescription(plan.description, report, plan.id) };
  const metadata = fitMetadata(plan.metadata, report, plan.id);
  if (metadata === undefined) delete out.metadata;
  else out.metadata = metadata;
  const maintenance = fitMaintenanceInfo(plan, report);
  if (maintenance === undefined) delete out.maintenance_info;
  else out.maintenance_info = maintenance;
  const schemas = fitSchemas(plan, report);
  if (schemas === undefined) delete out.schemas;
  else out.schemas = schemas;
  for (const flag of ['free', 'bindable', 'plan_updateable'] as const) {
    if (flag in out && typeof out[flag] !== 'boolean') {
      delete out[flag];
      report({ planId: plan.id, action: 'rewritten', reason: `${flag} is not a boolean; left out` });
    }
  }
  return out;
}

function fitTags(tags: unknown, report: Report): string[] | undefined {
  if (tags === undefined) return undefined;
  if (!Array.isArray(tags)) {
    report({ action: 'rewritten', reason: 'tags is not an array; left out' });
    return undefined;
  }
  const strings = tags.filter((t): t is string => typeof t === 'string');
  const kept: string[] = [];
  for (const tag of strings) {
    // The JSON length bounds every way CC could join them.
    if (JSON.stringify([...kept, tag]).length > MAX_TAGS_CHARS) break;
    kept.push(tag);
  }
  if (kept.length !== tags.length) {
    report({
      action: 'rewritten',
      reason: `tags cut to ${kept.length} of ${tags.length} (non-strings or over ${MAX_TAGS_CHARS} characters)`,
    });
  }
  return kept;
}

/**
 * Rewrites one namespaced offering so Cloud Controller accepts it, or drops it (undefined). `takenPlanIds`
 * spans the whole merged catalog, so a plan id reused anywhere is dropped on its second appearance.
 */
export function fitOffering(
  offering: ServiceOffering,
  backend: string,
  takenPlanIds: Set<string>,
  adjustments: CatalogAdjustment[],
): ServiceOffering | undefined {
  const serviceId = String(offering.id);
  const report: Report = (a) => adjustments.push({ backend, serviceId, ...a });
  const problem = identityProblem(offering);
  if (problem !== undefined) {
    report({ action: 'dropped', reason: `service ${problem}` });
    return undefined;
  }
  if (typeof offering.bindable !== 'boolean') {
    report({ action: 'dropped', reason: 'service bindable is not a boolean' });
    return undefined;
  }
  const plans: ServicePlan[] = [];
  const planNames = new Set<string>();
  for (const plan of Array.isArray(offering.plans) ? offering.plans : []) {
    const fitted = fitPlan(plan, report);
    if (fitted === undefined) continue;
    if (takenPlanIds.has(fitted.id)) {
      report({ planId: fitted.id, action: 'dropped', reason: 'plan id is already used in the catalog' });
      continue;
    }
    if (planNames.has(fitted.name.toLowerCase())) {
      report({
        planId: fitted.id,
        action: 'dropped',
        reason: `plan name "${fitted.name}" repeats another plan's name (ignoring case)`,
      });
      continue;
    }
    planNames.add(fitted.name.toLowerCase());
    plans.push(fitted);
  }
  if (plans.length === 0) {
    report({ action: 'dropped', reason: 'service has no publishable plan' });
    return undefined;
  }
  for (const plan of plans) takenPlanIds.add(plan.id);
  const out: ServiceOffering = { ...offering, description: fitDescription(offering.description, report), plans };
  const tags = fitTags(offering.tags, report);
  if (tags === undefined) delete out.tags;
  else out.tags = tags;
  if (offering.requires !== undefined) {
    const requires = Array.isArray(offering.requires) ? offering.requires.filter((r) => ALLOWED_REQUIRES.has(r)) : [];
    if (requires.length !== (Array.isArray(offering.requires) ? offering.requires.length : -1)) {
      report({ action: 'rewritten', reason: 'requires limited to syslog_drain, route_forwarding, volume_mount' });
    }
    out.requires = requires;
  }
  const metadata = fitMetadata(offering.metadata, report);
  if (metadata === undefined) delete out.metadata;
  else out.metadata = metadata;
  return out;
}

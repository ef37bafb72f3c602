import type { Catalog, ServiceOffering, ServicePlan } from '../../plugin-api/index.ts';
import { createParametersSchema, toCfnValue, updateParametersSchema, userParameterNames } from './parameter-schema.ts';
import { isSecretParameter, type PlanSpec, type ServiceTemplate } from './template-spec.ts';

export interface ResolvedPlan {
  spec: ServiceTemplate;
  plan: PlanSpec;
}

export type OperatorValue = string | number | boolean | string[];

/** Operator-set values become fixed plan parameters wherever the template declares them and the plan does not. */
function withOperatorParameters(spec: ServiceTemplate, values: Record<string, OperatorValue>): ServiceTemplate {
  const declared = Object.entries(values)
    .filter(([name]) => name in spec.parameters)
    .map(([name, value]) => [name, toCfnValue(value)] as const);
  if (declared.length === 0) return spec;
  const Plans = spec.metadata.Plans.map((plan) => ({
    ...plan,
    Parameters: { ...Object.fromEntries(declared), ...plan.Parameters },
  }));
  return { ...spec, metadata: { ...spec.metadata, Plans } };
}

/** The catalog built from the templates' `Metadata.Omnibroker`, and plan lookup by id. */
export class TemplateCatalog {
  readonly catalog: Catalog;
  readonly templates: ServiceTemplate[];
  private readonly plans = new Map<string, ResolvedPlan>();

  constructor(templates: ServiceTemplate[], operatorParameters: Record<string, OperatorValue> = {}) {
    this.templates = templates.map((spec) => withOperatorParameters(spec, operatorParameters));
    const seenServices = new Map<string, string>();
    const services: ServiceOffering[] = [];
    for (const spec of this.templates) {
      const { Service } = spec.metadata;
      const clash = seenServices.get(Service.Id) ?? seenServices.get(`name:${Service.Name}`);
      if (clash !== undefined) throw new Error(`${spec.source}: service id or name already used by ${clash}`);
      seenServices.set(Service.Id, spec.source).set(`name:${Service.Name}`, spec.source);
      services.push(this.offering(spec));
    }
    this.catalog = { services };
  }

  private offering(spec: ServiceTemplate): ServiceOffering {
    const { Service, Plans } = spec.metadata;
    const plans: ServicePlan[] = Plans.map((plan) => {
      if (this.plans.has(plan.Id)) throw new Error(`${spec.source}: plan id ${plan.Id} is used twice`);
      this.plans.set(plan.Id, { spec, plan });
      const secrets = userParameterNames(spec, plan).filter((name) => isSecretParameter(spec, name));
      return {
        id: plan.Id,
        name: plan.Name,
        description: plan.Description,
        free: plan.Free ?? false,
        schemas: {
          service_instance: {
            create: { parameters: createParametersSchema(spec, plan) },
            update: { parameters: updateParametersSchema(spec, plan) },
          },
        },
        ...(secrets.length > 0 ? { secretParameters: secrets } : {}),
      };
    });
    return {
      id: Service.Id,
      name: Service.Name,
      description: Service.Description,
      bindable: Service.Bindable,
      plan_updateable: Service.PlanUpdateable ?? false,
      ...(Service.Tags === undefined ? {} : { tags: Service.Tags }),
      ...(Service.DocumentationUrl === undefined ? {} : { metadata: { documentationUrl: Service.DocumentationUrl } }),
      plans,
    };
  }

  plan(serviceId: string, planId: string): ResolvedPlan | undefined {
    const found = this.plans.get(planId);
    return found !== undefined && found.spec.metadata.Service.Id === serviceId ? found : undefined;
  }
}

/** Catalog shapes as a backend returns them, in its own ids. The broker namespaces and publishes them. */

export type JsonObject = { [key: string]: unknown };

export interface MaintenanceInfo {
  version: string;
  description?: string;
}

export interface ParameterSchemas {
  service_instance?: {
    create?: { parameters: JsonObject };
    update?: { parameters: JsonObject };
  };
  service_binding?: {
    create?: { parameters: JsonObject };
  };
}

export interface ServicePlan {
  id: string;
  name: string;
  description: string;
  metadata?: JsonObject;
  free?: boolean;
  bindable?: boolean;
  plan_updateable?: boolean;
  schemas?: ParameterSchemas;
  maximum_polling_duration?: number;
  maintenance_info?: MaintenanceInfo;
  /** Names of provision/update parameters that are stored encrypted and never echoed. Not published. */
  secretParameters?: string[];
}

export interface ServiceOffering {
  id: string;
  name: string;
  description: string;
  bindable: boolean;
  tags?: string[];
  requires?: string[];
  metadata?: JsonObject;
  dashboard_client?: JsonObject;
  plan_updateable?: boolean;
  allow_context_updates?: boolean;
  instances_retrievable?: boolean;
  bindings_retrievable?: boolean;
  plans: ServicePlan[];
}

export interface Catalog {
  services: ServiceOffering[];
}

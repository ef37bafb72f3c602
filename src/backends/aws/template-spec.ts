import { Value } from '@sinclair/typebox/value';
import { type JsonObject, type Static, Type } from '../../plugin-api/index.ts';

/** Where a credential value comes from: a stack output, optionally naming an SSM parameter or a secret. */
const CredentialSource = Type.Object({
  Output: Type.String({ minLength: 1 }),
  From: Type.Optional(Type.Union([Type.Literal('output'), Type.Literal('ssm'), Type.Literal('secretsmanager')])),
  /** For a secret (or parameter) holding JSON: the key to take. */
  JsonKey: Type.Optional(Type.String({ minLength: 1 })),
});
export type CredentialSource = Static<typeof CredentialSource>;

const PlanSpec = Type.Object({
  Id: Type.String({ minLength: 1, maxLength: 200 }),
  Name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 200 }),
  Description: Type.String({ minLength: 1 }),
  Free: Type.Optional(Type.Boolean()),
  /** Values the plan fixes: not part of the plan's parameter schema. */
  Parameters: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
  /** Defaults the user may override. */
  Defaults: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]))),
});
export type PlanSpec = Static<typeof PlanSpec>;

/** The `Metadata.Omnibroker` section of a shipped template. */
export const ServiceMetadata = Type.Object({
  Service: Type.Object({
    Id: Type.String({ minLength: 1, maxLength: 200 }),
    Name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', maxLength: 200 }),
    Description: Type.String({ minLength: 1 }),
    Bindable: Type.Boolean(),
    Tags: Type.Optional(Type.Array(Type.String())),
    PlanUpdateable: Type.Optional(Type.Boolean()),
    DocumentationUrl: Type.Optional(Type.String()),
  }),
  Plans: Type.Array(PlanSpec, { minItems: 1 }),
  /** Parameters an update may change; the rest keep their previous value. */
  UpdatableParameters: Type.Optional(Type.Array(Type.String())),
  /** Parameters stored encrypted (NoEcho parameters always are). */
  SecretParameters: Type.Optional(Type.Array(Type.String())),
  Credentials: Type.Optional(
    Type.Object({
      /** `mysql` / `postgresql` / `redis` build the engine's standard keys; anything else is taken as is. */
      Type: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
      Provider: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
      Values: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9\\-.]*$' }), CredentialSource),
      /** Output naming a Lambda function that creates a per-binding user (the AWS broker's BindViaLambda). */
      BindHookOutput: Type.Optional(Type.String({ minLength: 1 })),
    }),
  ),
});
export type ServiceMetadata = Static<typeof ServiceMetadata>;

export interface CfnParameter {
  Type: string;
  Default?: unknown;
  Description?: string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  NoEcho?: boolean | string;
  ConstraintDescription?: string;
}

export interface ServiceTemplate {
  /** File or object key the template came from, for messages. */
  source: string;
  body: string;
  template: JsonObject;
  metadata: ServiceMetadata;
  parameters: Record<string, CfnParameter>;
}

export function readServiceTemplate(source: string, body: string, template: JsonObject): ServiceTemplate {
  const metadata = (template.Metadata as JsonObject | undefined)?.Omnibroker;
  if (!Value.Check(ServiceMetadata, metadata)) {
    const problems = [...Value.Errors(ServiceMetadata, metadata)].slice(0, 5);
    const detail = problems.map((e) => `${e.path || '/'}: ${e.message}`).join('; ');
    throw new Error(`${source}: Metadata.Omnibroker is invalid: ${detail || 'missing'}`);
  }
  const parameters = (template.Parameters ?? {}) as Record<string, CfnParameter>;
  const declared = new Set(Object.keys(parameters));
  const named = [
    ...metadata.Plans.flatMap((plan) => [...Object.keys(plan.Parameters ?? {}), ...Object.keys(plan.Defaults ?? {})]),
    ...(metadata.UpdatableParameters ?? []),
    ...(metadata.SecretParameters ?? []),
  ];
  const unknown = named.filter((name) => !declared.has(name));
  if (unknown.length > 0) throw new Error(`${source}: Metadata names undeclared parameters: ${unknown.join(', ')}`);
  return { source, body, template, metadata, parameters };
}

export function isSecretParameter(spec: ServiceTemplate, name: string): boolean {
  const noEcho = spec.parameters[name]?.NoEcho;
  return noEcho === true || noEcho === 'true' || (spec.metadata.SecretParameters ?? []).includes(name);
}

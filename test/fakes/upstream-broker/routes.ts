import type { RouteName } from './options.ts';

interface RouteSpec {
  method: string;
  pattern: RegExp;
  route: RouteName;
}

const instance = '/v2/service_instances/([^/]+)';
const binding = `${instance}/service_bindings/([^/]+)`;

const ROUTES: RouteSpec[] = [
  { method: 'GET', pattern: /^\/v2\/catalog$/, route: 'catalog' },
  { method: 'PUT', pattern: new RegExp(`^${instance}$`), route: 'provision' },
  { method: 'PATCH', pattern: new RegExp(`^${instance}$`), route: 'update' },
  { method: 'DELETE', pattern: new RegExp(`^${instance}$`), route: 'deprovision' },
  { method: 'GET', pattern: new RegExp(`^${instance}$`), route: 'fetchInstance' },
  { method: 'GET', pattern: new RegExp(`^${instance}/last_operation$`), route: 'lastOperation' },
  { method: 'PUT', pattern: new RegExp(`^${binding}$`), route: 'bind' },
  { method: 'DELETE', pattern: new RegExp(`^${binding}$`), route: 'unbind' },
  { method: 'GET', pattern: new RegExp(`^${binding}$`), route: 'fetchBinding' },
  { method: 'GET', pattern: new RegExp(`^${binding}/last_operation$`), route: 'bindingLastOperation' },
];

export const ROUTE_NAMES: readonly RouteName[] = ROUTES.map((r) => r.route);

export interface RouteMatch {
  route: RouteName;
  instanceId: string;
  bindingId: string;
}

/** The route of a request, `undefined` when none matches, or `'bad-id'` for an id that is not valid %-encoding. */
export function matchRoute(method: string, pathname: string): RouteMatch | undefined | 'bad-id' {
  for (const spec of ROUTES) {
    if (spec.method !== method) continue;
    const found = spec.pattern.exec(pathname);
    if (found === null) continue;
    try {
      return {
        route: spec.route,
        instanceId: decodeURIComponent(found[1] ?? ''),
        bindingId: decodeURIComponent(found[2] ?? ''),
      };
    } catch {
      return 'bad-id';
    }
  }
  return undefined;
}

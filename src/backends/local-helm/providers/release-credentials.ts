import { normalizeCredentials } from '../../../plugin-api/index.ts';
import { type ChartProvider, PROVIDER_NAME } from './chart-provider.ts';

/** A chart without a provider: its Service address plus every key of its Secret, as they are. */
export function genericProvider(chart: string): ChartProvider {
  return {
    tags: [chart],
    portNames: [],
    defaultPort: 0,
    async bind(endpoint) {
      return {
        credentials: {
          ...normalizeCredentials(endpoint.secret),
          type: chart,
          provider: PROVIDER_NAME,
          host: endpoint.host,
          port: String(endpoint.port),
          'service-name': endpoint.serviceName,
          ...(endpoint.secretName === undefined ? {} : { 'secret-name': endpoint.secretName }),
        },
      };
    },
  };
}

import type { ChartProvider } from './chart-provider.ts';
import { mongodbProvider } from './mongodb.ts';
import { mysqlFamilyProvider } from './mysql-family.ts';
import { postgresqlProvider } from './postgresql.ts';
import { rabbitmqProvider } from './rabbitmq.ts';
import { redisProvider } from './redis.ts';
import { genericProvider } from './release-credentials.ts';

const PROVIDERS: Record<string, ChartProvider> = {
  mariadb: mysqlFamilyProvider('mariadb-root-password', ['mariadb', 'mysql']),
  mysql: mysqlFamilyProvider('mysql-root-password', ['mysql']),
  postgresql: postgresqlProvider,
  mongodb: mongodbProvider,
  redis: redisProvider,
  rabbitmq: rabbitmqProvider,
};

export function providerFor(chart: string): ChartProvider {
  return PROVIDERS[chart] ?? genericProvider(chart);
}

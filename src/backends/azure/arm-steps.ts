import type { MySQLManagementFlexibleServerClient, Server, ServerForUpdate } from '@azure/arm-mysql-flexible';
import type { Step } from './operation-token.ts';

/** What the backend needs of any @azure/core-lro poller, whatever its result type. */
export interface StepPoller {
  isDone(): boolean;
  toString(): string;
}

/** The body a step's first request sends; resumed steps send nothing, so they need none. */
export type StepBody = { server: Server } | { update: ServerForUpdate };

interface StepCall {
  resumeFrom?: string;
  abortSignal: AbortSignal;
}

/**
 * Starts or resumes the Azure long-running operation of one step. `begin*` with `resumeFrom` skips the
 * initial request and polls the serialized operation once: that is how a fresh replica picks up the very
 * operation an earlier process started. A body is required only to start create/update-server.
 */
export class ArmSteps {
  constructor(
    private readonly client: MySQLManagementFlexibleServerClient,
    private readonly resourceGroup: string,
    private readonly location: string,
  ) {}

  run(step: Step, call: StepCall, body?: StepBody): Promise<StepPoller> {
    const rg = this.resourceGroup;
    const options = {
      abortSignal: call.abortSignal,
      ...(call.resumeFrom === undefined ? {} : { resumeFrom: call.resumeFrom }),
    };
    switch (step.op) {
      case 'create-server':
        return this.client.servers.beginCreate(
          rg,
          step.server,
          body !== undefined && 'server' in body ? body.server : { location: this.location },
          options,
        );
      case 'update-server':
        return this.client.servers.beginUpdate(
          rg,
          step.server,
          body !== undefined && 'update' in body ? body.update : {},
          options,
        );
      case 'delete-server':
        return this.client.servers.beginDelete(rg, step.server, options);
      case 'create-firewall-rule':
        return this.client.firewallRules.beginCreateOrUpdate(
          rg,
          step.server,
          step.rule.name,
          { startIpAddress: step.rule.startIpAddress, endIpAddress: step.rule.endIpAddress },
          options,
        );
      case 'create-database':
        return this.client.databases.beginCreateOrUpdate(
          rg,
          step.server,
          step.database,
          { charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' },
          options,
        );
      case 'delete-database':
        return this.client.databases.beginDelete(rg, step.server, step.database, options);
      case 'await-parent':
        throw new Error('await-parent is no Azure operation');
    }
  }

  getServer(server: string, abortSignal: AbortSignal): Promise<Server> {
    return this.client.servers.get(this.resourceGroup, server, { abortSignal });
  }

  /** One page only: a probe that reads one request, however many servers the group holds. */
  async firstServerPage(abortSignal: AbortSignal): Promise<Server[]> {
    const page = await this.client.servers.listByResourceGroup(this.resourceGroup, { abortSignal }).byPage().next();
    return page.done === true ? [] : page.value;
  }

  async databaseNames(server: string, abortSignal: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    for await (const db of this.client.databases.listByServer(this.resourceGroup, server, { abortSignal })) {
      if (db.name !== undefined) names.push(db.name);
    }
    return names;
  }
}

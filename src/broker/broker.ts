import { Bindings } from './bindings.ts';
import type { BrokerDeps } from './broker-deps.ts';
import { Instances } from './instances.ts';
import { Lifecycle, type LifecycleRecord, type ResourceSpec } from './lifecycle.ts';
import { ResourceRequests } from './resource-requests.ts';
import { Sweeper } from './sweeper.ts';

/** OSB semantics without HTTP: the gateway calls these and maps results and errors to responses. */
export class Broker {
  readonly instances: Instances;
  readonly bindings: Bindings;
  readonly sweeper: Sweeper;

  constructor(readonly deps: BrokerDeps) {
    const lifecycle = new Lifecycle(deps);
    const requests = new ResourceRequests(deps, lifecycle);
    this.instances = new Instances(deps, lifecycle, requests);
    this.bindings = new Bindings(deps, this.instances, requests);
    this.sweeper = new Sweeper(deps, lifecycle, {
      instance: this.instances.spec as unknown as ResourceSpec<LifecycleRecord>,
      binding: this.bindings.spec as unknown as ResourceSpec<LifecycleRecord>,
    });
  }

  get catalog() {
    return this.deps.catalog;
  }
}

// The little of the Workers runtime's types the Cloudflare example and the edge tests use (the
// project does not depend on @cloudflare/workers-types, whose globals clash with the DOM's).

declare module 'cloudflare:workers' {
  /** A Durable Object class's base. */
  export class DurableObject<Env = unknown> {
    constructor(ctx: DurableObjectState, env: Env);
    /** The object's state and storage. */
    protected readonly ctx: DurableObjectState;
    /** The Worker's bindings. */
    protected readonly env: Env;
    fetch(request: Request): Promise<Response>;
    alarm(): Promise<void>;
  }
}

interface DurableObjectState {
  readonly storage: import('../../adapters/cloudflare/storage.ts').DurableObjectStorage &
    import('../../adapters/cloudflare/alarm.ts').AlarmStorage & {
      deleteAll(): Promise<void>;
      get<T>(key: string): Promise<T | undefined>;
      put(key: string, value: unknown): Promise<void>;
    };
  blockConcurrencyWhile<T>(work: () => Promise<T>): Promise<T>;
  abort(reason?: string): void;
}

interface DurableObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request | string, init?: RequestInit): Promise<Response> };
}

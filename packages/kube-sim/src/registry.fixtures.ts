// A registry with a fake clock and seeded randomness for unit tests.
import { ServiceAllocators } from "./ip-alloc.ts";
import type { KubeObject } from "./object.ts";
import { Registry, type WriteOptions } from "./registry.ts";
import { resolveResourceName, type ResourceType } from "./resources.ts";
import { Store } from "./store.ts";

export interface TestRegistry {
  readonly reg: Registry;
  readonly store: Store;
  readonly allocators: ServiceAllocators;
  rt(name: string): ResourceType;
  create(resource: string, obj: object, opts?: WriteOptions): KubeObject;
  get(resource: string, namespace: string, name: string): KubeObject;
  advance(ms: number): void;
}

export function testRegistry(opts: { ranges?: string[]; nodePorts?: string; historySize?: number } = {}): TestRegistry {
  let now = Date.parse("2025-01-01T00:00:00Z");
  let seed = 42;
  // Park-Miller: deterministic allocations in tests.
  const random = (): number => {
    seed = (seed * 16807) % 2147483647;
    return (seed - 1) / 2147483646;
  };
  const allocators = new ServiceAllocators({ clusterIPRanges: opts.ranges ?? ["10.96.0.0/12", "fd00:10:96::/112"], nodePortRange: opts.nodePorts ?? "30000-32767", random });
  const store = new Store({ historySize: opts.historySize ?? 1000 });
  const reg = new Registry(store, { now: () => now, random, allocators });
  const rt = (name: string): ResourceType => {
    const r = resolveResourceName(name);
    if (!r) throw new Error(`no resource ${name}`);
    return r;
  };
  const t: TestRegistry = {
    reg,
    store,
    allocators,
    rt,
    create: (resource, obj, o) => {
      const r = rt(resource);
      const ns = (obj as { metadata?: { namespace?: string } }).metadata?.namespace ?? (r.namespaced ? "default" : "");
      return JSON.parse(reg.create(r, ns, JSON.parse(JSON.stringify(obj)), o).json) as KubeObject;
    },
    get: (resource, namespace, name) => JSON.parse(reg.get(rt(resource), namespace, name).json) as KubeObject,
    advance: (ms) => void (now += ms),
  };
  t.create("namespaces", { metadata: { name: "default" } });
  return t;
}

/** Runs `fn` and returns the KubeSimError it throws, as a plain object of what tests assert. */
export function errorOf(fn: () => unknown): { code: string; httpStatus: number; message: string; fields: string[] } {
  try {
    fn();
  } catch (e) {
    const err = e as { code: string; httpStatus: number; message: string; details?: { causes?: { field: string }[] } };
    return { code: err.code, httpStatus: err.httpStatus, message: err.message, fields: err.details?.causes?.map((c) => c.field) ?? [] };
  }
  throw new Error("expected an error");
}

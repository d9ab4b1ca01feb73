// Ordered scenario tables for the controller (house style 25): each scenario
// is a config and a list of steps; after each step, every Service named in
// `expect` must reach the given state (IPs, pool annotation, condition reason
// and message) and must have received the given Events in that order. Each
// scenario runs against a fresh kube-sim and a fresh controller.
import { expect } from "vitest";
import { Cluster, type Observed, type ServiceArgs } from "./harness.ts";

export interface Want extends Partial<Observed> {
  /** Event reasons the Service must have received by now, in order (others may be interleaved). */
  readonly events?: readonly string[];
  /** Event reasons it must not have received. */
  readonly noEvents?: readonly string[];
  /** A substring of the condition message. */
  readonly messageHas?: string;
}

export interface Step {
  /** What happens in the cluster; Services are "name" (namespace default) or "namespace/name". */
  readonly act: (c: Cluster) => void;
  readonly expect: Readonly<Record<string, Want>>;
}

export interface Scenario {
  readonly desc: string;
  readonly config: string;
  readonly namespaces?: Record<string, Record<string, string>>;
  readonly lbClass?: string | null;
  readonly steps: readonly Step[];
}

export function split(ref: string): { namespace: string; name: string } {
  const i = ref.indexOf("/");
  return i < 0 ? { namespace: "default", name: ref } : { namespace: ref.slice(0, i), name: ref.slice(i + 1) };
}

/** Step helpers. */
export const create = (ref: string, args: ServiceArgs = {}) => (c: Cluster) => {
  const { namespace, name } = split(ref);
  c.createService(name, { ...args, namespace });
};
export const patch = (ref: string, body: object) => (c: Cluster) => {
  const { namespace, name } = split(ref);
  c.patchService(name, body, namespace);
};
export const remove = (ref: string) => (c: Cluster) => {
  const { namespace, name } = split(ref);
  c.deleteService(name, namespace);
};
export const setConfig = (text: string) => (c: Cluster) => c.setConfig(text);
export const all =
  (...acts: ((c: Cluster) => void)[]) =>
  (c: Cluster) => {
    for (const a of acts) a(c);
  };

export async function runScenario(s: Scenario): Promise<void> {
  const c = await Cluster.start({ config: s.config, ...(s.namespaces !== undefined ? { namespaces: s.namespaces } : {}) });
  try {
    await c.startController({ lbClass: s.lbClass ?? null });
    for (const [i, step] of s.steps.entries()) {
      step.act(c);
      for (const [ref, want] of Object.entries(step.expect)) {
        const { namespace, name } = split(ref);
        const { events, noEvents, messageHas, ...state } = want;
        const seen = await c.expectService(name, state, { namespace });
        if (messageHas !== undefined) expect(seen.message, `step ${i + 1}: ${ref} condition message`).toContain(messageHas);
        if (events !== undefined) await c.expectEvents(name, events, namespace);
        if (noEvents !== undefined) {
          const got = c.events(name, namespace).map((e) => e.reason);
          for (const r of noEvents) expect(got, `step ${i + 1}: ${ref} must not get ${r}`).not.toContain(r);
        }
      }
    }
  } finally {
    await c.close();
  }
}

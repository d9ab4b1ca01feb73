// Component-test rig: kube-sim over HTTP, real client-node informers, and
// speakers whose writers only record the sets they are given (house style
// 19: the speaker is tested against fakes that record sets).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Advertisement, SessionEvent } from "@ironlb/bgp";
import { formatIp, formatPrefix } from "@ironlb/core/ip";
import { createClients, createLogger, type Clients, type Logger } from "@ironlb/kube";
import type { Announcement, L2Event } from "@ironlb/l2";
import { Registry } from "prom-client";
import type { Layer2Writer } from "./layer2-writer.ts";
import type { SessionSpec } from "./peers.ts";
import type { BgpSessionFactory, StopReason } from "./sessions.ts";
import { Speaker, type SpeakerOptions } from "./speaker.ts";

export const NS = "ironlb-system";
export const SPEAKER_LABELS = { "app.kubernetes.io/name": "ironlb", "app.kubernetes.io/component": "speaker" };

export class RecordingLayer2 implements Layer2Writer {
  readonly sets: string[][] = [];
  onEvent: (e: L2Event) => void = () => {};
  closed = false;
  #current = new Set<string>();

  announce(set: readonly Announcement[]): void {
    const ips = set.map((a) => `${formatIp(a.ip)}${a.interfaces === undefined ? "" : `@${a.interfaces.join("+")}`}${a.conflictCheck === "probe" ? "?" : ""}`);
    this.sets.push(ips);
    // Behave like the announcer: report the first announcement of a new IP.
    const next = new Set(set.map((a) => formatIp(a.ip)));
    for (const ip of next) if (!this.#current.has(ip)) this.onEvent({ type: "announcing", ip, interfaces: [], probed: false });
    for (const ip of this.#current) if (!next.has(ip)) this.onEvent({ type: "withdrawn", ip });
    this.#current = next;
  }

  /** IPs announced now (without interface and probe marks). */
  get current(): string[] {
    return [...this.#current].sort();
  }

  /** The latest set as given, with marks ("ip@if1+if2", "ip?" = probe first). */
  get last(): string[] {
    return this.sets.at(-1) ?? [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.announce([]);
  }
}

export interface RecordedSession {
  readonly spec: SessionSpec;
  readonly sets: string[][];
  stopped: StopReason | undefined;
  message: string | undefined;
  emit: (e: SessionEvent) => void;
}

export class RecordingBgp {
  readonly sessions: RecordedSession[] = [];

  readonly factory: BgpSessionFactory = (spec, onEvent) => {
    const rec: RecordedSession = { spec, sets: [], stopped: undefined, message: undefined, emit: onEvent };
    this.sessions.push(rec);
    return {
      setAdvertisements: (all: readonly Advertisement[]) => {
        rec.sets.push(all.map((a) => `${formatPrefix(a.prefix)}${a.localPref === undefined ? "" : ` lp=${a.localPref}`}${a.communities?.length ? ` c=${a.communities.map((c) => `${c >>> 16}:${c & 0xffff}`).join(",")}` : ""}${a.largeCommunities?.length ? ` l=${a.largeCommunities.map((l) => `${l.global}:${l.local1}:${l.local2}`).join(",")}` : ""}`));
      },
      counters: () => ({ established: false, updatesSent: rec.sets.length, prefixesAdvertised: rec.sets.at(-1)?.length ?? 0, prefixesPending: 0 }),
      stop: (why: StopReason, message?: string) => {
        rec.stopped = why;
        rec.message = message;
      },
      settled: () => Promise.resolve(),
    };
  };

  /** Running (not stopped) sessions by peer name. */
  running(): Map<string, RecordedSession> {
    return new Map(this.sessions.filter((s) => s.stopped === undefined).map((s) => [s.spec.name, s]));
  }
}

/** What the rig uses of kube-sim (the test files create it: only tests may import the simulator). */
export interface SimLike {
  readonly url: string;
  kubeconfig(): string;
  close(): Promise<void>;
  readonly store: {
    get(resource: string, namespace: string, name: string): unknown;
    list(resource: string, options?: { readonly namespace?: string }): unknown[];
    create(resource: string, obj: object): unknown;
    update(resource: string, obj: object): unknown;
    patch(resource: string, namespace: string, name: string, patch: unknown, options?: { readonly type?: "merge"; readonly subresource?: "status" }): unknown;
    delete(resource: string, namespace: string, name: string): boolean;
  };
  readonly requestLog: { count(filter?: { readonly verb?: string; readonly resource?: string }): number };
}

type Obj = { metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> } } & Record<string, unknown>;

export interface Rig {
  readonly sim: SimLike;
  readonly clients: Clients;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startRig(sim: SimLike): Promise<Rig> {
  const dir = mkdtempSync(path.join(tmpdir(), "ironlb-speaker-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(kubeconfig, sim.kubeconfig());
  const clients = createClients({ kubeconfig });
  sim.store.create("namespaces", { metadata: { name: NS } });
  return {
    sim,
    clients,
    dir,
    close: async () => {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestSpeaker {
  readonly node: string;
  readonly speaker: Speaker;
  readonly layer2: RecordingLayer2;
  readonly bgp: RecordingBgp;
  readonly registry: Registry;
  readonly logs: string[];
}

export function makeSpeaker(rig: Rig, node: string, extra: Partial<SpeakerOptions> = {}): TestSpeaker {
  const layer2 = new RecordingLayer2();
  const bgp = new RecordingBgp();
  const registry = new Registry();
  const logs: string[] = [];
  const logger: Logger = createLogger({ component: "ironlb-speaker", level: "debug", write: (l) => void logs.push(l) });
  const speaker = new Speaker({
    clients: rig.clients,
    nodeName: node,
    namespace: NS,
    layer2: (onEvent) => {
      layer2.onEvent = onEvent;
      return layer2;
    },
    bgp: bgp.factory,
    registry,
    logger,
    publishDelayMs: 20,
    informerBackoff: { minMs: 20, maxMs: 200 },
    ...extra,
  });
  return { node, speaker, layer2, bgp, registry, logs };
}

// ---- cluster objects --------------------------------------------------------------------

export function addNode(rig: Rig, name: string, opts: { labels?: Record<string, string>; address?: string | undefined; networkUnavailable?: boolean } = {}): void {
  rig.sim.store.create("nodes", {
    metadata: { name, labels: opts.labels ?? {} },
    status: {
      conditions: [{ type: "Ready", status: "True" }, ...(opts.networkUnavailable === undefined ? [] : [{ type: "NetworkUnavailable", status: opts.networkUnavailable ? "True" : "False" }])],
      addresses: opts.address === undefined ? [] : [{ type: "InternalIP", address: opts.address }],
    },
  });
}

export function patchNode(rig: Rig, name: string, patch: object, status = false): void {
  rig.sim.store.patch("nodes", "", name, patch, { type: "merge", ...(status ? { subresource: "status" as const } : {}) });
}

export function addSpeakerPod(rig: Rig, node: string, ip: string, ready = true): string {
  const name = `speaker-${node}`;
  rig.sim.store.create("pods", { metadata: { name, namespace: NS, labels: SPEAKER_LABELS }, spec: { nodeName: node, containers: [{ name: "speaker", image: "ironlb" }] } });
  setPodReady(rig, name, ip, ready);
  return name;
}

export function setPodReady(rig: Rig, name: string, ip: string, ready: boolean): void {
  rig.sim.store.patch("pods", NS, name, { status: { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } }, { type: "merge", subresource: "status" });
}

export function setConfig(rig: Rig, yaml: string): void {
  const existing = rig.sim.store.get("configmaps", NS, "config");
  if (existing === undefined) rig.sim.store.create("configmaps", { metadata: { name: "config", namespace: NS }, data: { config: yaml } });
  else rig.sim.store.patch("configmaps", NS, "config", { data: { config: yaml } }, { type: "merge" });
}

export interface SvcOpts {
  readonly ips: readonly string[];
  readonly local?: boolean;
  readonly annotations?: Record<string, string>;
  readonly namespace?: string;
}

export function addService(rig: Rig, name: string, o: SvcOpts): void {
  const namespace = o.namespace ?? "default";
  rig.sim.store.create("services", {
    metadata: { name, namespace, annotations: o.annotations ?? {} },
    spec: { type: "LoadBalancer", selector: { app: name }, ports: [{ port: 80, protocol: "TCP" }], externalTrafficPolicy: o.local === true ? "Local" : "Cluster" },
  });
  setServiceIps(rig, name, o.ips, namespace);
}

export function setServiceIps(rig: Rig, name: string, ips: readonly string[], namespace = "default"): void {
  rig.sim.store.patch("services", namespace, name, { status: { loadBalancer: ips.length === 0 ? {} : { ingress: ips.map((ip) => ({ ip })) } } }, { type: "merge", subresource: "status" });
}

/** Replaces the Service's one EndpointSlice with ready endpoints on `nodes`. */
export function setEndpoints(rig: Rig, service: string, nodes: readonly string[], namespace = "default"): void {
  const name = `${service}-eps`;
  const body = {
    metadata: { name, namespace, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    ports: [{ port: 8080, protocol: "TCP" }],
    endpoints: nodes.map((n, i) => ({ addresses: [`10.244.${i}.10`], nodeName: n, conditions: { ready: true } })),
  };
  if (rig.sim.store.get("endpointslices", namespace, name) === undefined) rig.sim.store.create("endpointslices", body);
  else rig.sim.store.update("endpointslices", body);
}

export function getObj(rig: Rig, resource: string, namespace: string, name: string): Obj | undefined {
  return rig.sim.store.get(resource, namespace, name) as Obj | undefined;
}

/** Deletes every object of these resources (between tests). */
export function clearAll(rig: Rig, resources: readonly string[] = ["services", "endpointslices", "pods", "nodes", "configmaps", "secrets", "events"]): void {
  for (const r of resources) for (const o of rig.sim.store.list(r) as Obj[]) rig.sim.store.delete(r, o.metadata.namespace ?? "", o.metadata.name);
}

/** Polls until `fn` returns something other than undefined/false; fails with `what` after `ms`. */
export async function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Events recorded on an object, by reason. */
export function eventsFor(rig: Rig, namespace: string, name: string, reason: string): { count: number; message: string; source: string }[] {
  type Ev = { involvedObject?: { name?: string }; reason?: string; count?: number; message?: string; source?: { host?: string } };
  return (rig.sim.store.list("events", { namespace }) as Ev[])
    .filter((e) => e.involvedObject?.name === name && e.reason === reason)
    .map((e) => ({ count: e.count ?? 1, message: e.message ?? "", source: e.source?.host ?? "" }));
}

// What the playground puts into its API server before anything runs: the
// IronLB namespace, the membership key, the configuration ConfigMap (from a
// file, as `kubectl apply` would take it), the nodes, and the sample objects
// (Namespaces and Services) of a second file.
//
// Without network namespaces there is no router, and a BGP session to the
// example's 10.99.0.x would leave this machine: the peers are then pointed at
// a closed port on 127.0.0.1 (every other setting kept), so the speakers
// still decide and publish what they would announce and nothing goes out.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isMap, isSeq, parseAllDocuments, parseDocument } from "yaml";
import type { KubeSim } from "@ironlb/kube-sim";
import { PlaygroundError } from "./errors.ts";
import { NAMESPACE } from "./stand-ins.ts";

const RESOURCE: Readonly<Record<string, string>> = {
  Namespace: "namespaces",
  Service: "services",
  ConfigMap: "configmaps",
  Secret: "secrets",
  EndpointSlice: "endpointslices",
  Pod: "pods",
};

export interface K8sDoc {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly data?: Readonly<Record<string, string>>;
}

export function readObjects(file: string): K8sDoc[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PlaygroundError("PLAYGROUND_MISSING_FILE", `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sDoc | null)
    .filter((d): d is K8sDoc => d !== null && typeof d === "object");
}

/** The config ConfigMap of `file`; its `data.config` rewritten so BGP peers dial `peerTarget` when given. */
export function configMapFrom(file: string, peerTarget?: { readonly address: string; readonly port: number }): K8sDoc {
  const cm = readObjects(file).find((o) => o.kind === "ConfigMap");
  if (cm === undefined || typeof cm.data?.["config"] !== "string") throw new PlaygroundError("PLAYGROUND_MISSING_FILE", `${file} holds no ConfigMap with a data.config key`);
  if (peerTarget === undefined) return { ...cm, metadata: { ...cm.metadata, namespace: NAMESPACE, name: "config" } };
  const doc = parseDocument(cm.data["config"]);
  const peers = doc.get("peers");
  if (isSeq(peers)) {
    for (const p of peers.items) {
      if (!isMap(p)) continue;
      p.set("peer-address", peerTarget.address);
      p.set("peer-port", peerTarget.port);
    }
  }
  return { ...cm, metadata: { ...cm.metadata, namespace: NAMESPACE, name: "config" }, data: { ...cm.data, config: doc.toString() } };
}

export function seed(sim: KubeSim, configMap: K8sDoc, samples: readonly K8sDoc[], nodes: readonly { readonly name: string; readonly ip: string }[]): void {
  const store = sim.store;
  store.create("namespaces", { metadata: { name: NAMESPACE } });
  store.create("secrets", { metadata: { name: "memberlist", namespace: NAMESPACE }, data: { secretkey: randomBytes(32).toString("base64") } });
  store.create("configmaps", configMap);
  for (const n of nodes) {
    store.create("nodes", {
      metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux" } },
      status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: n.ip }, { type: "Hostname", address: n.name }] },
    });
  }
  // Namespaces first, as kubectl apply of a file that creates its own namespace needs.
  const ordered = [...samples.filter((o) => o.kind === "Namespace"), ...samples.filter((o) => o.kind !== "Namespace")];
  for (const o of ordered) {
    const resource = RESOURCE[o.kind ?? ""];
    if (resource === undefined) throw new PlaygroundError("PLAYGROUND_MISSING_FILE", `the playground cannot create a ${o.kind ?? "(no kind)"}; its sample files may hold ${Object.keys(RESOURCE).join(", ")}`);
    store.create(resource, o);
  }
}

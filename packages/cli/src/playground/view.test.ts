import { describe, expect, it } from "vitest";
import { serializeStatus, STATUS_ANNOTATION } from "@ironlb/speaker";
import { buildRows, type ServiceObject, type Sighting } from "./view.ts";

const svc = (name: string, ips: string[], pool: string | undefined, extra: Partial<ServiceObject["status"]> = {}): ServiceObject => ({
  metadata: { name, namespace: "default", ...(pool === undefined ? {} : { annotations: { "ironlb.io/ip-allocated-from-pool": pool } }) },
  spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) }, ...extra },
});
const pod = (node: string, layer2: Record<string, string[]>, bgp: Record<string, string[]>) => ({
  metadata: { name: `speaker-${node}`, namespace: "ironlb-system", annotations: { [STATUS_ANNOTATION]: serializeStatus({ node, layer2: new Map(Object.entries(layer2)), bgp: new Map(Object.entries(bgp)), sessions: new Map() }) } },
  spec: { nodeName: node },
  status: { conditions: [{ type: "Ready", status: "True" }] },
});

describe("playground table", () => {
  const services = [
    svc("web", ["198.51.100.16"], "lan"),
    svc("api", ["203.0.113.1", "2001:db8::1"], "edge"),
    svc("waiting", [], undefined, { conditions: [{ type: "ironlb.io/Allocated", status: "False", reason: "PoolExhausted" }] }),
  ];
  const pods = [pod("node-a", { "default/web": ["198.51.100.16"] }, { "default/api": ["203.0.113.1"] }), pod("node-b", {}, { "default/api": ["203.0.113.1"] })];

  it("joins the Services with what the speakers publish and what the network showed", () => {
    const sightings = new Map<string, Sighting>([
      ["198.51.100.16", { kind: "arp", nodes: ["node-a"] }],
      ["203.0.113.1", { kind: "route", nodes: ["node-a", "node-b"] }],
      ["2001:db8::1", { kind: "none", note: "IPv6: not wired" }],
    ]);
    expect(buildRows({ services, speakerPods: pods, sightings }).map((r) => [r.service, r.ips.join(","), r.pool, r.announcedBy, r.seen])).toEqual([
      ["default/api", "203.0.113.1,2001:db8::1", "edge", "node-a,node-b (bgp)", "router: via node-a,node-b | IPv6: not wired"],
      ["default/waiting", "<pending: PoolExhausted>", "-", "-", "-"],
      ["default/web", "198.51.100.16", "lan", "node-a (layer2)", "ARP answered by node-a"],
    ]);
  });

  it("says dry run once per Service when nothing is observed", () => {
    expect(buildRows({ services, speakerPods: pods, sightings: null }).find((r) => r.service === "default/api")?.seen).toBe("dry run");
  });
});

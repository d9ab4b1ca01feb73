import { describe, expect, it } from "vitest";
import { dnatRules } from "./stand-ins.ts";

const svc = (name: string, ips: string[], ports: { port: number; protocol?: string }[], type = "LoadBalancer") => ({
  metadata: { name, namespace: "default" },
  spec: { type, ports },
  status: { loadBalancer: { ingress: ips.map((ip) => ({ ip })) } },
});

describe("kube-proxy stand-in", () => {
  it("DNATs each IPv4 load-balancer IP and TCP port to the node's backend; UDP and IPv6 are not wired", () => {
    const rules = dnatRules(
      [
        svc("web", ["198.51.100.16"], [{ port: 80 }]),
        svc("api", ["203.0.113.1", "2001:db8:113::"], [{ port: 443, protocol: "TCP" }]),
        svc("dns-udp", ["198.51.100.53"], [{ port: 53, protocol: "UDP" }]),
        svc("pending", [], [{ port: 80 }]),
      ],
      "10.99.0.11",
    );
    expect(rules).toEqual([
      "-A IRONLB-PLAYGROUND -d 198.51.100.16/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.99.0.11:8080",
      "-A IRONLB-PLAYGROUND -d 203.0.113.1/32 -p tcp -m tcp --dport 443 -j DNAT --to-destination 10.99.0.11:8080",
    ]);
  });

  it("writes one rule for an IP and port two Services share", () => {
    expect(dnatRules([svc("a", ["198.51.100.53"], [{ port: 53 }]), svc("b", ["198.51.100.53"], [{ port: 53 }])], "10.99.0.12")).toHaveLength(1);
  });
});

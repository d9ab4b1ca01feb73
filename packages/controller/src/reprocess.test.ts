// The order of a full pass (reference §2.6): IP holders first, ties by key.
import { expect, test } from "vitest";
import type { V1Service } from "@ironlb/kube";
import { reprocessOrder } from "./reprocess.ts";

const svc = (ns: string, name: string, ips: number): V1Service => ({
  metadata: { namespace: ns, name },
  status: { loadBalancer: { ingress: Array.from({ length: ips }, (_, i) => ({ ip: `198.51.100.${i}` })) } },
});

test("IP holders first (most IPs first), ties by namespace/name; the input is not reordered", () => {
  const input = [svc("b", "a", 0), svc("a", "z", 1), svc("a", "b", 0), svc("c", "d", 2), svc("a", "a", 1)];
  const before = input.map((s) => s.metadata?.name);
  expect(reprocessOrder(input).map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(["c/d", "a/a", "a/z", "a/b", "b/a"]);
  expect(input.map((s) => s.metadata?.name)).toEqual(before);
});

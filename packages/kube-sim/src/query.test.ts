import { describe, expect, it } from "vitest";
import type { KubeSimError } from "./errors.ts";
import { list } from "./query.ts";
import { testRegistry } from "./registry.fixtures.ts";

function fixture(): ReturnType<typeof testRegistry> {
  const t = testRegistry();
  t.create("namespaces", { metadata: { name: "other" } });
  for (const [ns, name, app] of [["default", "c", "web"], ["default", "a", "db"], ["other", "b", "web"], ["default", "b", "web"]]) {
    t.create("pods", { metadata: { name, namespace: ns, labels: { app: app as string } }, spec: { nodeName: name === "a" ? "n1" : "n2", containers: [{ name: "c", image: "i" }] } });
  }
  return t;
}

const names = (page: ReturnType<typeof list>): string[] => page.items.map((i) => `${i.obj.metadata.namespace}/${i.obj.metadata.name}`);

describe("list", () => {
  // [query, expected keys in etcd order]
  const cases: [Parameters<typeof list>[2], string[]][] = [
    [{ namespace: "" }, ["default/a", "default/b", "default/c", "other/b"]],
    [{ namespace: "default" }, ["default/a", "default/b", "default/c"]],
    [{ namespace: "", labelSelector: "app=web" }, ["default/b", "default/c", "other/b"]],
    [{ namespace: "", fieldSelector: "spec.nodeName=n1" }, ["default/a"]],
    [{ namespace: "default", fieldSelector: "metadata.name!=b", labelSelector: "app in (web,db)" }, ["default/a", "default/c"]],
    [{ namespace: "", fieldSelector: "metadata.namespace=other" }, ["other/b"]],
  ];
  it.each(cases)("%j", (q, want) => {
    const t = fixture();
    expect(names(list(t.store, t.rt("pods"), q))).toEqual(want);
  });

  it("pages with limit and continue, reporting what remains", () => {
    const t = fixture();
    const first = list(t.store, t.rt("pods"), { namespace: "" }, { limit: 3 });
    expect(names(first)).toEqual(["default/a", "default/b", "default/c"]);
    expect(first.remainingItemCount).toBe(1);
    expect(first.continue).toBeTypeOf("string");
    const second = list(t.store, t.rt("pods"), { namespace: "" }, { limit: 3, continue: first.continue as string });
    expect(names(second)).toEqual(["other/b"]);
    expect(second.continue).toBeUndefined();
    expect(second.resourceVersion).toBe(first.resourceVersion);
  });

  it("rejects field selectors the resource does not support and broken continue tokens", () => {
    const t = fixture();
    expect(() => list(t.store, t.rt("configmaps"), { namespace: "", fieldSelector: "spec.nodeName=x" })).toThrowError(/field label not supported: spec.nodeName/);
    try {
      list(t.store, t.rt("pods"), { namespace: "" }, { continue: "garbage" });
      expect.unreachable();
    } catch (e) {
      expect((e as KubeSimError).code).toBe("BadRequest");
    }
  });
});

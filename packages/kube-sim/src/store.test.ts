import { describe, expect, it } from "vitest";
import type { KubeObject } from "./object.ts";
import { History, Store, type ChangeEvent } from "./store.ts";

function obj(name: string, namespace = "default"): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace } };
}

function event(rv: number): ChangeEvent {
  const o = { obj: obj(`o${rv}`), json: "{}", rv };
  return { type: "ADDED", rv, cur: o, prev: undefined, lines: {} };
}

describe("History", () => {
  it("replays what came after a resourceVersion and refuses one older than it keeps", () => {
    const h = new History(3, 0);
    for (const rv of [2, 5, 7]) h.push(event(rv));
    expect(h.since(0)?.map((e) => e.rv)).toEqual([2, 5, 7]);
    expect(h.since(4)?.map((e) => e.rv)).toEqual([5, 7]);
    expect(h.since(7)).toEqual([]);
    expect(h.since(100)).toEqual([]);
    h.push(event(9)); // evicts rv 2: history now starts after 2
    expect(h.floor).toBe(2);
    expect(h.since(1)).toBeUndefined();
    expect(h.since(2)?.map((e) => e.rv)).toEqual([5, 7, 9]);
    expect(h.length).toBe(3);
  });

  it("with no history keeps only the floor", () => {
    const h = new History(0, 0);
    h.push(event(4));
    expect(h.since(3)).toBeUndefined();
    expect(h.since(4)).toEqual([]);
  });
});

describe("Store", () => {
  it("one resourceVersion across collections; keys in etcd order; watchers see every change", () => {
    const s = new Store({ historySize: 10 });
    const seen: string[] = [];
    s.collection("configmaps").watchers.add({ deliver: (e) => seen.push(`${e.type} ${e.cur.obj.metadata.name} ${e.rv}`) });
    for (const [ns, name] of [["default", "b"], ["default-x", "a"], ["default", "a"]] as const) {
      const rv = s.nextResourceVersion();
      s.commit("configmaps", `${ns}/${name}`, ns, "ADDED", { ...obj(name, ns), metadata: { name, namespace: ns, resourceVersion: String(rv) } }, rv);
    }
    const rv = s.nextResourceVersion();
    s.commit("services", "default/s", "default", "ADDED", obj("s"), rv);
    expect(s.resourceVersion).toBe(4);
    // "-" sorts before "/", as in etcd keys.
    expect(s.collection("configmaps").keys()).toEqual(["default-x/a", "default/a", "default/b"]);
    expect(s.collection("configmaps").keys("default")).toEqual(["default/a", "default/b"]);
    const del = s.nextResourceVersion();
    s.commit("configmaps", "default/a", "default", "DELETED", obj("a"), del);
    expect(s.get("configmaps", "default/a")).toBeUndefined();
    expect(s.collection("configmaps").keys("default")).toEqual(["default/b"]);
    expect(s.collection("configmaps").namespaceSize("default-x")).toBe(1);
    expect(seen).toEqual(["ADDED b 1", "ADDED a 2", "ADDED a 3", "DELETED a 5"]);
    expect(s.get("configmaps", "default/b")?.json).toBe(JSON.stringify(s.get("configmaps", "default/b")?.obj));
  });
});

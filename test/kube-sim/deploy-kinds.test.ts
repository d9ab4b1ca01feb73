// kube-sim serves the kinds of a deployment manifest (ServiceAccount,
// apps/v1 Deployment and DaemonSet, policy/v1 PodDisruptionBudget, RBAC) so
// `kubectl apply` of a whole kustomize output works, with server-side strict
// field validation reaching into the pod template's security contexts; and
// the request log names who asked (the bearer token) and the object a
// field-selected list or watch is about, as RBAC resourceNames need.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { run } from "../lib/exec.ts";
import { findBinary, inCi } from "../lib/prereq.ts";

const kubectl = findBinary("kubectl");
if (!kubectl) {
  const why = "kubectl not found on PATH: the deployment-kinds suite of kube-sim cannot run";
  if (inCi()) {
    describe("deployment kinds", () => {
      it("has kubectl", () => {
        throw new Error(why);
      });
    });
  } else console.warn(`SKIPPED: ${why}`);
}

const DAEMONSET = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: speaker
  namespace: default
spec:
  selector:
    matchLabels: {app: speaker}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: speaker}
    spec:
      hostNetwork: true
      securityContext:
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: speaker
        image: ironlb:0.1.0
        securityContext:
          runAsUser: 0
          capabilities: {drop: [ALL], add: [NET_RAW]}
`;

const RBAC = `apiVersion: v1
kind: ServiceAccount
metadata: {name: speaker, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "ironlb:speaker"}
rules:
- apiGroups: [""]
  resources: [services]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "ironlb:speaker"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "ironlb:speaker"}
subjects:
- {kind: ServiceAccount, name: speaker, namespace: default}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: controller, namespace: default}
spec:
  minAvailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels: {app: controller}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: default}
spec:
  replicas: 2
  selector:
    matchLabels: {app: controller}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}
  template:
    metadata:
      labels: {app: controller}
    spec:
      containers:
      - name: controller
        image: ironlb:0.1.0
`;

describe.skipIf(!kubectl)("deployment kinds", () => {
  let sim: KubeSim;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await createKubeSim();
    dir = mkdtempSync(path.join(tmpdir(), `kube-sim-deploy-${process.pid}-`));
    writeFileSync(path.join(dir, "kubeconfig"), sim.kubeconfig({ token: "deployer" }));
    env = { KUBECONFIG: path.join(dir, "kubeconfig"), HOME: dir };
  });

  afterAll(async () => {
    await sim?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const k = (...args: string[]) => run(kubectl as string, ["--cache-dir", path.join(dir, "cache"), ...args], { env, allowFailure: true, timeout: 20_000 });
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it("applies RBAC, a PodDisruptionBudget, a Deployment and a DaemonSet with strict validation", async () => {
    const applied = await k("apply", "--validate=strict", "-f", file("all.yaml", RBAC + "---\n" + DAEMONSET));
    expect(applied.stderr).toBe("");
    expect(applied.stdout.trim().split("\n").sort()).toEqual([
      "clusterrole.rbac.authorization.k8s.io/ironlb:speaker created",
      "clusterrolebinding.rbac.authorization.k8s.io/ironlb:speaker created",
      "daemonset.apps/speaker created",
      "deployment.apps/controller created",
      "poddisruptionbudget.policy/controller created",
      "serviceaccount/speaker created",
    ]);
    const ds = sim.store.get("daemonsets", "default", "speaker") as { spec: { template: { spec: { containers: { securityContext: unknown }[] } } } } | undefined;
    expect(ds?.spec.template.spec.containers[0]?.securityContext).toEqual({ runAsUser: 0, capabilities: { drop: ["ALL"], add: ["NET_RAW"] } });
    expect((sim.store.get("clusterroles", "", "ironlb:speaker") as { rules?: unknown } | undefined)?.rules).toEqual([{ apiGroups: [""], resources: ["services"], verbs: ["list", "watch"] }]);
    const again = await k("apply", "--validate=strict", "-f", path.join(dir, "all.yaml"));
    expect(again.stdout).toContain("daemonset.apps/speaker unchanged");
  });

  it("rejects an unknown field inside a container's security context under --validate=strict", async () => {
    const bad = DAEMONSET.replace("name: speaker\n  namespace", "name: other\n  namespace").replace("runAsUser: 0", "runAsUser: 0\n          runAsRoot: true");
    const r = await k("apply", "--validate=strict", "-f", file("bad.yaml", bad));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "spec.template.spec.containers[0].securityContext.runAsRoot"');
    expect(sim.store.get("daemonsets", "default", "other")).toBeUndefined();
  });

  it("names the client by its bearer token and a field-selected list by the name it selects", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(sim.kubeconfig({ token: "speaker-a" }));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    sim.requestLog.clear();
    await core.listNamespacedSecret({ namespace: "default", fieldSelector: "metadata.name=memberlist" });
    await core.listNamespacedSecret({ namespace: "default" });
    expect(sim.requestLog.entries({ resource: "secrets" }).map((e) => `${e.user} ${e.verb} ${e.name}`)).toEqual(["speaker-a list memberlist", "speaker-a list "]);
    expect(sim.requestLog.count({ user: "speaker-a" })).toBe(2);
    expect(sim.requestLog.count({ user: "deployer" })).toBe(0);
  });
});

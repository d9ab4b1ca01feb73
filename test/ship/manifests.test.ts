// The manifests as an operator deploys them (issue 8, "Done when" 2, first
// half): `kubectl kustomize` of the example overlay, every object checked
// against the Kubernetes API types (unknown fields, value types, required
// fields), applied to kube-sim with kubectl's strict server-side validation
// (a dry run first, then for real), the rendered output accepted by
// `ironlb config validate --strict`, and the deployment settings the issue
// asks for pinned down: leader election, probes on the monitoring port,
// non-root and read-only controller, the speaker's capabilities, the names
// the RBAC rules and the flags must agree on.
//
// The RBAC rules themselves are compared with real requests in
// least-privilege.test.ts.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeSim, type KubeSim } from "@ironlb/kube-sim";
import { DEFAULT_SPEAKER_SELECTOR } from "@ironlb/speaker";
import { run } from "../lib/exec.ts";
import { inCi } from "../lib/prereq.ts";
import { validateObject } from "./k8s-types.ts";
import { find, kubectlPath, ManifestCopy, ROOT, type K8sObject } from "./render.ts";

const exec = promisify(execFile);
const CLI = path.join(ROOT, "packages/cli/dist/main.js");

if (kubectlPath === undefined) {
  const why = "kubectl not found on PATH: the manifests suite cannot render kustomize";
  if (inCi()) {
    describe("manifests", () => {
      it("has kubectl", () => {
        throw new Error(why);
      });
    });
  } else console.warn(`SKIPPED: ${why}`);
}

interface Container {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  ports: { name: string; containerPort: number; protocol: string }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: { runAsUser?: number; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[]; add?: string[] } };
}
interface PodSpec {
  serviceAccountName: string;
  hostNetwork?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  tolerations?: { key: string; operator: string; effect: string }[];
  containers: Container[];
}
interface Workload {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const podOf = (o: K8sObject) => (o as unknown as Workload).spec.template.spec;
const containerOf = (o: K8sObject) => podOf(o).containers[0] as Container;
const flag = (c: Container, name: string) => c.args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
const portOf = (address: string | undefined) => Number(/:(\d+)$/.exec(address ?? "")?.[1]);

/** The default commander prints for an option of `ironlb COMMAND --help`. */
async function helpDefault(command: string, option: string): Promise<string> {
  const { stdout } = await exec(process.execPath, [CLI, command, "--help"]);
  const line = stdout.split("\n").find((l) => l.trimStart().startsWith(option));
  const m = /\(default: "([^"]*)"\)/.exec(line ?? "");
  if (m === null) throw new Error(`no default for ${option} in ironlb ${command} --help`);
  return m[1] as string;
}

describe.skipIf(kubectlPath === undefined)("manifests", () => {
  let copy: ManifestCopy;
  let text: string;
  let objects: K8sObject[];
  let sim: KubeSim;
  let kubeconfig: string;

  beforeAll(async () => {
    copy = ManifestCopy.create();
    ({ text, objects } = await copy.render("overlays/example"));
    sim = await createKubeSim();
    kubeconfig = path.join(copy.dir, "kubeconfig");
    writeFileSync(kubeconfig, sim.kubeconfig());
  });

  afterAll(async () => {
    await sim?.close();
    copy?.remove();
  });

  const kubectl = (...args: string[]) => run(kubectlPath as string, ["--kubeconfig", kubeconfig, "--cache-dir", path.join(copy.dir, "cache"), ...args], { allowFailure: true, timeout: 30_000, env: { HOME: copy.dir } });

  it("renders the objects of the base, the example configuration, the membership key and the dashboard", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        "ClusterRole/ironlb:controller",
        "ClusterRole/ironlb:speaker",
        "ClusterRoleBinding/ironlb:controller",
        "ClusterRoleBinding/ironlb:speaker",
        "ConfigMap/config",
        "ConfigMap/ironlb-grafana-dashboard",
        "DaemonSet/speaker",
        "Deployment/controller",
        "Namespace/ironlb-system",
        "PodDisruptionBudget/controller",
        "Role/controller",
        "Role/speaker",
        "Role/speaker-secrets",
        "RoleBinding/controller",
        "RoleBinding/speaker",
        "RoleBinding/speaker-secrets",
        "Secret/memberlist",
        "Service/controller-monitoring",
        "Service/speaker-monitoring",
        "ServiceAccount/controller",
        "ServiceAccount/speaker",
      ].sort(),
    );
    for (const o of objects) if (o.kind !== "Namespace" && !o.kind.startsWith("Cluster")) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("ironlb-system");
  });

  it("conforms to the Kubernetes API types, object by object", () => {
    for (const o of objects) expect(validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });

  it("the type check catches what strict validation would (a misspelt field, a wrong type, a missing required field)", () => {
    const ds = find(objects, "DaemonSet", "speaker");
    const bad = JSON.parse(JSON.stringify(ds)) as { spec: { template: { spec: { containers: Record<string, unknown>[]; hostNetwork: unknown } } } };
    const c = bad.spec.template.spec.containers[0] as Record<string, unknown>;
    (c["securityContext"] as Record<string, unknown>)["runAsRoot"] = true;
    bad.spec.template.spec.hostNetwork = "true";
    delete c["name"];
    expect(validateObject(bad)).toEqual([
      "spec.template.spec.containers[0].securityContext.runAsRoot: unknown field (not in V1SecurityContext)",
      "spec.template.spec.containers[0].name: required by V1Container",
      'spec.template.spec.hostNetwork: want a boolean, got string "true"',
    ]);
  });

  it("keeps the example overlay's configuration identical to config/example.yaml", () => {
    expect(readFileSync(path.join(ROOT, "manifests/overlays/example/config.yaml"), "utf8")).toBe(readFileSync(path.join(ROOT, "config/example.yaml"), "utf8"));
  });

  it("passes `ironlb config validate --strict` as a whole kustomize output", async () => {
    const file = path.join(copy.dir, "rendered.yaml");
    writeFileSync(file, text);
    const { stdout } = await exec(process.execPath, [CLI, "config", "validate", "--strict", "--format", "json", file]);
    const report = JSON.parse(stdout) as { valid: boolean; strict: boolean; source: { kind: string; name: string; namespace: string } };
    expect(report).toMatchObject({ valid: true, strict: true, source: { kind: "configmap", name: "config", namespace: "ironlb-system" } });
  });

  it("applies to kube-sim with strict server-side validation, a dry run first", async () => {
    const file = path.join(copy.dir, "rendered.yaml");
    writeFileSync(file, text);
    // As on a real API server, a dry run cannot create objects in a namespace that does not exist yet.
    const nsFile = path.join(copy.dir, "namespace.json");
    writeFileSync(nsFile, JSON.stringify(find(objects, "Namespace", "ironlb-system")));
    expect(await kubectl("apply", "--validate=strict", "-f", nsFile)).toMatchObject({ code: 0, stderr: "" });
    const dry = await kubectl("apply", "--validate=strict", "--dry-run=server", "-f", file);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(0);
    expect(sim.store.list("daemonsets")).toEqual([]);
    const applied = await kubectl("apply", "--validate=strict", "-f", file);
    expect(applied.stderr).toBe("");
    const lines = applied.stdout.trim().split("\n");
    expect(lines).toHaveLength(objects.length);
    expect(lines.filter((l) => l.endsWith(" created"))).toHaveLength(objects.length - 1);
    expect(lines).toContain("namespace/ironlb-system unchanged");
    for (const o of objects) {
      const resource = { ClusterRole: "clusterroles", ClusterRoleBinding: "clusterrolebindings", Role: "roles", RoleBinding: "rolebindings", ConfigMap: "configmaps", DaemonSet: "daemonsets", Deployment: "deployments", Namespace: "namespaces", PodDisruptionBudget: "poddisruptionbudgets", Secret: "secrets", Service: "services", ServiceAccount: "serviceaccounts" }[o.kind];
      expect(resource, o.kind).toBeDefined();
      expect(sim.store.get(resource as string, o.metadata.namespace ?? "", o.metadata.name), `${o.kind}/${o.metadata.name} stored`).toBeDefined();
    }
    // Applying again changes nothing.
    const again = await kubectl("apply", "--validate=strict", "-f", file);
    expect(again.stdout.trim().split("\n").every((l) => l.endsWith(" unchanged"))).toBe(true);
  });

  it("runs two controller replicas with leader election, probes on the monitoring port, non-root, read-only, no capabilities", async () => {
    const d = find(objects, "Deployment", "controller");
    const pod = podOf(d);
    const c = containerOf(d);
    expect((d as unknown as Workload).spec.replicas).toBe(2);
    expect(c.args.slice(0, 2)).toEqual(["controller", "--leader-elect"]);
    const monitoring = c.ports.find((p) => p.name === "monitoring");
    expect(monitoring?.containerPort).toBe(portOf(flag(c, "--metrics-addr")));
    expect([c.livenessProbe.httpGet, c.readinessProbe.httpGet]).toEqual([
      { path: "/healthz", port: "monitoring" },
      { path: "/readyz", port: "monitoring" },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(c.resources.requests).toMatchObject({ cpu: expect.any(String) as unknown, memory: expect.any(String) as unknown });
    expect(c.resources.limits).toMatchObject({ memory: expect.any(String) as unknown });
    expect(pod.serviceAccountName).toBe("controller");
    // The PDB keeps one replica through voluntary disruptions and selects the controller pods.
    const pdb = find(objects, "PodDisruptionBudget", "controller") as unknown as { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual((d as unknown as Workload).spec.template.metadata.labels);
  });

  it("runs the speaker in the host network with NET_RAW as its only capability, on control-plane nodes too", () => {
    const ds = find(objects, "DaemonSet", "speaker");
    const pod = podOf(ds);
    const c = containerOf(ds);
    expect(pod.hostNetwork).toBe(true);
    expect(c.securityContext).toEqual({ runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"], add: ["NET_RAW"] } });
    expect(pod.securityContext?.seccompProfile?.type).toBe("RuntimeDefault");
    expect(pod.tolerations?.map((t) => `${t.key}:${t.effect}`)).toContain("node-role.kubernetes.io/control-plane:NoSchedule");
    const env = new Map(c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
    expect(env.get("NODE_NAME")).toBe("spec.nodeName");
    expect(env.get("POD_NAME")).toBe("metadata.name");
    expect(env.get("POD_IP")).toBe("status.podIP");
    // Arguments use only variables the container defines.
    for (const a of c.args) for (const m of a.matchAll(/\$\((\w+)\)/g)) expect(env.has(m[1] as string), `${a} uses $(${m[1]})`).toBe(true);
    expect(c.ports.find((p) => p.name === "memberlist")).toEqual({ name: "memberlist", containerPort: portOf(flag(c, "--ml-bind")), protocol: "UDP" });
    expect(c.ports.find((p) => p.name === "monitoring")?.containerPort).toBe(portOf(flag(c, "--metrics-addr")));
    expect([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/healthz", "/readyz"]);
    expect(pod.serviceAccountName).toBe("speaker");
  });

  it("the l2-kernel-arp component adds the flag and exactly the two capabilities it needs, and the speaker knows the flag", async () => {
    copy.overlay("kernel-arp", {
      "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../example\ncomponents:\n- ../../components/l2-kernel-arp\n",
    });
    const rendered = await copy.render("overlays/kernel-arp");
    const c = containerOf(find(rendered.objects, "DaemonSet", "speaker"));
    const base = containerOf(find(objects, "DaemonSet", "speaker"));
    expect(c.args).toEqual([...base.args, "--l2-kernel-arp"]);
    expect(c.securityContext.capabilities).toEqual({ drop: ["ALL"], add: ["NET_RAW", "BPF", "NET_ADMIN"] });
    for (const o of rendered.objects) expect(validateObject(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
    const { stdout } = await exec(process.execPath, [CLI, "speaker", "--help"]);
    expect(stdout).toMatch(/--l2-kernel-arp\s+answer ARP in the kernel/);
  });

  it("labels the speaker pods as the speakers select each other", () => {
    const labels = (find(objects, "DaemonSet", "speaker") as unknown as Workload).spec.template.metadata.labels;
    for (const term of DEFAULT_SPEAKER_SELECTOR.split(",")) {
      const [k, v] = term.split("=") as [string, string];
      expect(labels[k], term).toBe(v);
    }
  });

  it("names the Secret, the ConfigMap and the Lease as the flags and the RBAC rules do", async () => {
    const speaker = containerOf(find(objects, "DaemonSet", "speaker"));
    const secretName = flag(speaker, "--ml-secret-name") ?? (await helpDefault("speaker", "--ml-secret-name"));
    const secret = find(objects, "Secret", secretName) as unknown as { data: Record<string, string> };
    expect(Buffer.from(secret.data["secretkey"] ?? "", "base64").length).toBeGreaterThanOrEqual(32);
    const names = (role: string, resource: string) => ((find(objects, "Role", role) as unknown as { rules: { resources: string[]; resourceNames?: string[] }[] }).rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.resourceNames ?? []));
    expect(names("speaker-secrets", "secrets")).toEqual([secretName]);
    const configMap = await helpDefault("controller", "--config-map");
    expect(await helpDefault("speaker", "--config-map")).toBe(configMap);
    find(objects, "ConfigMap", configMap);
    expect(names("controller", "configmaps")).toEqual([configMap]);
    expect(names("speaker", "configmaps")).toEqual([configMap]);
    expect(names("controller", "leases")).toEqual([await helpDefault("controller", "--lease-name")]);
  });
});

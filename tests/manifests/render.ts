// Renders the kustomize trees with `kubectl kustomize` (offline, well under a second each) and
// gives the tests typed access to the objects. Shared by every tests/manifests/*.test.ts.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const MANIFESTS = path.join(ROOT, "manifests");

/** A rendered Kubernetes object, loosely typed: the tests walk it like JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Every kustomization the project ships: the base and each overlay. */
export function kustomizations(): string[] {
  const overlays = readdirSync(path.join(MANIFESTS, "overlays"))
    .map((name) => path.join("overlays", name))
    .filter((dir) => existsSync(path.join(MANIFESTS, dir, "kustomization.yaml")));
  return ["base", ...overlays.sort()];
}

const cache = new Map<string, K8sObject[]>();

export function render(dir: string): K8sObject[] {
  const hit = cache.get(dir);
  if (hit) return hit;
  const out = execFileSync("kubectl", ["kustomize", path.join(MANIFESTS, dir)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const objects = parseAllDocuments(out).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${dir}: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
  cache.set(dir, objects);
  return objects;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

// --- Pod templates and containers -------------------------------------------------------------

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface KeyRef {
  name: string;
  key: string;
}
export interface Probe {
  httpGet?: { path: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}
export interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    seccompProfile?: { type: string };
  };
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string }[];
}
export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: PodSpec;
}

/** Where a workload kind keeps its pod template. */
export function podTemplate(o: K8sObject): PodTemplate | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (o.kind === "Deployment" || o.kind === "Job" || o.kind === "StatefulSet" || o.kind === "DaemonSet") {
    return spec.template as PodTemplate;
  }
  if (o.kind === "CronJob") {
    return ((spec.jobTemplate as { spec: { template: PodTemplate } }).spec.template);
  }
  return undefined;
}

export interface Workload {
  object: K8sObject;
  template: PodTemplate;
  /** Long-running (a Deployment's main containers) as opposed to run-to-completion or init. */
  longRunning: boolean;
}

export function workloads(objects: K8sObject[]): Workload[] {
  return objects.flatMap((object) => {
    const template = podTemplate(object);
    return template ? [{ object, template, longRunning: object.kind === "Deployment" }] : [];
  });
}

export function allContainers(pod: PodSpec): { container: Container; init: boolean }[] {
  return [
    ...(pod.initContainers ?? []).map((container) => ({ container, init: true })),
    ...pod.containers.map((container) => ({ container, init: false })),
  ];
}

/** `registry.example.com/lavka/api-service:v1` -> `api-service`. */
export function imageRepository(image: string): string {
  const noDigest = image.split("@")[0] ?? image;
  const last = noDigest.split("/").pop() ?? noDigest;
  return last.split(":")[0] ?? last;
}

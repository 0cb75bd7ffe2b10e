// Operational policy for every rendered object: resources, probes, security context, labels,
// images that the Dockerfile builds, scaling and disruption budgets, jobs, external services.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DockerfileParser } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { jobs } from "../../src/processor/jobs/index.ts";
import {
  allContainers,
  type Container,
  find,
  imageRepository,
  type K8sObject,
  kustomizations,
  render,
  ROOT,
  workloads,
} from "./render.ts";

const dirs = kustomizations();

/** Targets of the Dockerfile: the image repositories a manifest may use. */
function dockerfileTargets(): string[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(ROOT, "Dockerfile"), "utf8"));
  return dockerfile
    .getFROMs()
    .map((from) => from.getBuildStage())
    .filter((stage): stage is string => Boolean(stage));
}
const IMAGE_TARGETS = ["api-service", "data-processing-service", "web-interface", "pgbouncer"];

function labelsOf(o: K8sObject): Record<string, string> {
  return o.metadata.labels ?? {};
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containerLabel(w: { object: K8sObject }, c: Container): string {
  return `${w.object.kind}/${w.object.metadata.name} container ${c.name}`;
}

describe.each(dirs)("%s", (dir) => {
  const objects = render(dir);
  const all = workloads(objects);

  it("every container has CPU and memory requests and limits", () => {
    for (const w of all) {
      for (const { container: c } of allContainers(w.template.spec)) {
        for (const kind of ["requests", "limits"] as const) {
          expect(c.resources?.[kind]?.cpu, `${containerLabel(w, c)} ${kind}.cpu`).toBeTruthy();
          expect(c.resources?.[kind]?.memory, `${containerLabel(w, c)} ${kind}.memory`).toBeTruthy();
        }
      }
    }
  });

  it("every long-running container has startup, readiness and liveness probes on a declared port", () => {
    const longRunning = all.filter((w) => w.longRunning);
    expect(longRunning.map((w) => w.object.metadata.name).sort()).toEqual([
      "api-service",
      "data-processing-service",
      "pgbouncer",
      "web-interface",
    ]);
    for (const w of longRunning) {
      for (const c of w.template.spec.containers) {
        for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"] as const) {
          const p = c[probe];
          expect(p, `${containerLabel(w, c)} ${probe}`).toBeDefined();
          const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
          if (port !== undefined) {
            const declared = (c.ports ?? []).some((cp) => cp.name === port || cp.containerPort === port);
            expect(declared, `${containerLabel(w, c)} ${probe} port ${port}`).toBe(true);
          }
        }
      }
    }
  });

  it("probes ask for paths the services serve", () => {
    const probeCode = readFileSync(path.join(ROOT, "src/lib/probes.ts"), "utf8");
    for (const w of all.filter((x) => x.longRunning)) {
      for (const c of w.template.spec.containers) {
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
          const p = probe?.httpGet?.path;
          if (!p) continue;
          if (imageRepository(c.image) === "web-interface") {
            // A static file: the web's liveness must not hang on the API.
            expect(existsSync(path.join(ROOT, "public", p)), `public${p}`).toBe(true);
          } else {
            expect(probeCode, `${containerLabel(w, c)} probe ${p}`).toContain(`"${p}"`);
          }
        }
      }
    }
  });

  it("every pod runs as a fixed non-root user with a read-only root filesystem and no privileges", () => {
    for (const w of all) {
      const pod = w.template.spec;
      const where = `${w.object.kind}/${w.object.metadata.name}`;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.runAsUser, where).toBeGreaterThan(0);
      expect(pod.securityContext?.runAsGroup, where).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type, where).toBe("RuntimeDefault");
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const { container: c } of allContainers(pod)) {
        const sc = c.securityContext;
        expect(sc?.readOnlyRootFilesystem, containerLabel(w, c)).toBe(true);
        expect(sc?.allowPrivilegeEscalation, containerLabel(w, c)).toBe(false);
        expect(sc?.privileged ?? false, containerLabel(w, c)).toBe(false);
        expect(sc?.capabilities?.drop, containerLabel(w, c)).toContain("ALL");
        expect(sc?.capabilities?.add ?? [], containerLabel(w, c)).toEqual([]);
        expect(sc?.runAsUser ?? pod.securityContext?.runAsUser, containerLabel(w, c)).not.toBe(0);
        // A read-only root needs somewhere to write temporary files.
        expect(c.volumeMounts?.some((m) => m.mountPath === "/tmp") ?? false, `${containerLabel(w, c)} /tmp`).toBe(
          !(c.command?.some((a) => a.includes("wait-for-migrations")) ?? false),
        );
      }
    }
  });

  it("every pod has its own ServiceAccount, without a token", () => {
    for (const w of all) {
      const name = w.template.spec.serviceAccountName;
      expect(name, `${w.object.kind}/${w.object.metadata.name}`).toBeTruthy();
      const sa = find(objects, "ServiceAccount", name ?? "");
      expect(sa, `ServiceAccount ${name}`).toBeDefined();
      expect(sa?.automountServiceAccountToken, `ServiceAccount ${name}`).toBe(false);
    }
  });

  it("every object and pod template carries the app.kubernetes.io labels", () => {
    const required = ["name", "instance", "component", "part-of", "managed-by"].map((l) => `app.kubernetes.io/${l}`);
    for (const o of objects) {
      for (const l of required) expect(labelsOf(o)[l], `${o.kind}/${o.metadata.name} ${l}`).toBeTruthy();
      expect(labelsOf(o)["app.kubernetes.io/part-of"]).toBe("lavka");
    }
    for (const w of all) {
      for (const l of required) expect(w.template.metadata?.labels?.[l], `${w.object.metadata.name} template ${l}`).toBeTruthy();
    }
    if (dir !== "base") {
      for (const o of objects) expect(labelsOf(o)["app.kubernetes.io/version"], `${o.kind}/${o.metadata.name}`).toBeTruthy();
    }
  });

  it("every image is a target of the Dockerfile, with a pinned tag", () => {
    const targets = dockerfileTargets();
    expect(targets).toEqual(expect.arrayContaining(IMAGE_TARGETS));
    for (const w of all) {
      for (const { container: c } of allContainers(w.template.spec)) {
        expect(IMAGE_TARGETS, `${containerLabel(w, c)} image ${c.image}`).toContain(imageRepository(c.image));
        const tag = c.image.split("/").pop()?.split(":")[1];
        expect(tag, `${containerLabel(w, c)} image ${c.image}`).toMatch(/^v\d/);
      }
    }
  });

  it("Deployments select their own pods, and Services and PDBs select a Deployment's pods", () => {
    const deployments = objects.filter((o) => o.kind === "Deployment");
    const podLabels = deployments.map((d) => workloads([d])[0]?.template.metadata?.labels ?? {});
    for (const [i, d] of deployments.entries()) {
      const selector = (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(matches(selector, podLabels[i] ?? {}), `Deployment/${d.metadata.name}`).toBe(true);
    }
    const selecting = objects.filter(
      (o) => (o.kind === "Service" && (o.spec as { selector?: unknown }).selector) || o.kind === "PodDisruptionBudget",
    );
    for (const o of selecting) {
      const spec = o.spec as { selector: Record<string, string> | { matchLabels: Record<string, string> } };
      const selector = "matchLabels" in spec.selector ? (spec.selector.matchLabels as Record<string, string>) : spec.selector;
      const hits = podLabels.filter((labels) => matches(selector, labels));
      expect(hits.length, `${o.kind}/${o.metadata.name} selects one Deployment`).toBe(1);
    }
    // Named target ports exist on the selected containers.
    for (const svc of objects.filter((o) => o.kind === "Service" && (o.spec as { selector?: unknown }).selector)) {
      const spec = svc.spec as { selector: Record<string, string>; ports: { targetPort?: string | number }[] };
      const d = deployments.find((_, i) => matches(spec.selector, podLabels[i] ?? {}));
      const ports = workloads(d ? [d] : [])[0]?.template.spec.containers.flatMap((c) => c.ports ?? []) ?? [];
      for (const p of spec.ports) {
        expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `Service/${svc.metadata.name}`).toBe(true);
      }
    }
  });

  it("API and web have an HPA (owning the replica count) and a PDB", () => {
    for (const name of ["api-service", "web-interface"]) {
      const hpa = find(objects, "HorizontalPodAutoscaler", name);
      expect(hpa, `HPA ${name}`).toBeDefined();
      const spec = hpa?.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number };
      expect(spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name });
      expect(spec.minReplicas).toBeGreaterThanOrEqual(1);
      expect(spec.maxReplicas).toBeGreaterThan(spec.minReplicas);
      expect(find(objects, "Deployment", name)?.spec, `Deployment ${name} leaves replicas to the HPA`).not.toHaveProperty("replicas");
      expect(find(objects, "PodDisruptionBudget", name), `PDB ${name}`).toBeDefined();
      if (dir === "overlays/production") expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
  });

  it("every scheduled processor job has a CronJob with its schedule, never overlapping", () => {
    const cronJobs = objects.filter((o) => o.kind === "CronJob");
    const byJob = new Map(
      cronJobs.map((cj) => {
        const spec = cj.spec as { schedule: string };
        const args = workloads([cj])[0]?.template.spec.containers[0]?.args ?? [];
        return [args[1] ?? "", { cj, schedule: spec.schedule }] as const;
      }),
    );
    const scheduled = jobs.filter((j) => j.schedule);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const job of scheduled) {
      expect(byJob.get(job.name)?.schedule, `CronJob for ${job.name}`).toBe(job.schedule);
    }
    expect(cronJobs.length).toBe(scheduled.length);
    for (const cj of cronJobs) {
      const spec = cj.spec as {
        schedule: string;
        timeZone?: string;
        concurrencyPolicy?: string;
        startingDeadlineSeconds?: number;
        successfulJobsHistoryLimit?: number;
        failedJobsHistoryLimit?: number;
        jobTemplate: { spec: { activeDeadlineSeconds?: number; backoffLimit?: number } };
      };
      expect(spec.concurrencyPolicy, cj.metadata.name).toBe("Forbid");
      expect(spec.timeZone, cj.metadata.name).toBe("Etc/UTC");
      expect(spec.startingDeadlineSeconds).toBeGreaterThan(0);
      expect(spec.successfulJobsHistoryLimit).toBeGreaterThanOrEqual(1);
      expect(spec.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1);
      expect(spec.jobTemplate.spec.backoffLimit).toBeDefined();
      expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    }
  });

  it("the hourly aggregation CronJob runs once an hour and finishes within the hour", () => {
    const cj = find(objects, "CronJob", "data-processing-aggregate-sales");
    const spec = cj?.spec as { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { activeDeadlineSeconds: number } } };
    expect(spec.schedule).toMatch(/^([0-5]?\d) \* \* \* \*$/);
    expect(spec.concurrencyPolicy).toBe("Forbid");
    expect(spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThan(3600);
  });

  it("Jobs are bounded and cleaned up", () => {
    for (const job of objects.filter((o) => o.kind === "Job")) {
      const spec = job.spec as { backoffLimit?: number; activeDeadlineSeconds?: number; ttlSecondsAfterFinished?: number };
      expect(spec.backoffLimit, job.metadata.name).toBeDefined();
      expect(spec.activeDeadlineSeconds, job.metadata.name).toBeGreaterThan(0);
      expect(spec.ttlSecondsAfterFinished, job.metadata.name).toBeGreaterThan(0);
    }
  });

  it("processor Jobs and CronJobs run jobs the processor knows", () => {
    const known = jobs.map((j) => j.name);
    const runs = all.flatMap((w) =>
      w.template.spec.containers
        .filter((c) => imageRepository(c.image) === "data-processing-service")
        .map((c) => c.args ?? []),
    );
    expect(runs).toContainEqual(["worker"]);
    for (const args of runs.filter((a) => a[0] === "job")) {
      expect(known, `job ${args[1]}`).toContain(args[1]);
    }
  });

  it("migrations run in a Job before the API and worker start", () => {
    const migrate = find(objects, "Job", "db-migrate");
    expect(migrate).toBeDefined();
    const job = workloads(migrate ? [migrate] : [])[0];
    const runner = job?.template.spec.containers[0];
    expect(runner && imageRepository(runner.image)).toBe("api-service");
    expect(runner?.command).toEqual(["node", "dist/api/migrate.mjs"]);
    for (const name of ["api-service", "data-processing-service"]) {
      const d = workloads([find(objects, "Deployment", name) as K8sObject])[0];
      const init = d?.template.spec.initContainers?.find((c) => c.name === "wait-for-migrations");
      expect(init, `${name} waits for migrations`).toBeDefined();
      // Same image as the main container: it waits for exactly the migrations it was built with.
      expect(init?.image).toBe(d?.template.spec.containers[0]?.image);
      expect(init?.command?.[1]).toMatch(/^dist\/(api|processor)\/wait-for-migrations\.mjs$/);
    }
  });

  it("shutdown fits in the grace period: preStop delay + the app's own drain time", () => {
    for (const w of all.filter((x) => x.longRunning)) {
      const pod = w.template.spec;
      const c = pod.containers[0] as Container;
      const preStop = Number(c.lifecycle?.preStop?.exec?.command.find((a) => /^\d+$/.test(a)) ?? 0);
      const cm = (c.envFrom ?? []).map((e) => e.configMapRef && find(objects, "ConfigMap", e.configMapRef.name)).find(Boolean);
      const drainMs = Number((cm?.data as Record<string, string> | undefined)?.SHUTDOWN_GRACE_MS ?? 0);
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      expect(preStop + drainMs / 1000 + 5, `${w.object.metadata.name}`).toBeLessThanOrEqual(grace);
    }
  });

  it("the Ingress serves the web over TLS for every host it routes", () => {
    const ingresses = objects.filter((o) => o.kind === "Ingress");
    expect(ingresses.length).toBe(1);
    for (const ing of ingresses) {
      const spec = ing.spec as {
        tls?: { hosts?: string[]; secretName?: string }[];
        rules: { host: string; http: { paths: { backend: { service: { name: string; port: { name?: string } } } }[] } }[];
      };
      const tlsHosts = (spec.tls ?? []).flatMap((t) => t.hosts ?? []);
      for (const rule of spec.rules) {
        expect(tlsHosts).toContain(rule.host);
        for (const p of rule.http.paths) {
          const svc = find(objects, "Service", p.backend.service.name);
          expect(svc, p.backend.service.name).toBeDefined();
          const ports = (svc?.spec as { ports: { name?: string }[] }).ports;
          expect(ports.some((sp) => sp.name === p.backend.service.port.name)).toBe(true);
        }
      }
      expect(spec.tls?.every((t) => t.secretName)).toBe(true);
    }
  });

  it("Secrets hold placeholders only", () => {
    for (const s of objects.filter((o) => o.kind === "Secret")) {
      const values = Object.values({ ...(s.stringData as object), ...(s.data as object) }) as string[];
      expect(values.length).toBeGreaterThan(0);
      for (const v of values) expect(v, `Secret/${s.metadata.name}`).toContain("CHANGE_ME");
    }
    // Production never overwrites the Secrets created in the cluster.
    if (dir === "overlays/production") expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("the external dependencies are Services the pods reach by name", () => {
    const expected = {
      database: "db.example.com:5432",
      "database-replica": "replica.example.com:5432",
      "message-queue": "messaging.example.com:5672",
      "auth-service": "service1.example.com:8000",
      "inventory-service": "service2.example.com:8080",
    };
    for (const [name, address] of Object.entries(expected)) {
      const svc = find(objects, "Service", name);
      expect(svc, name).toBeDefined();
      expect(svc?.metadata.annotations?.["lavka.dev/external-address"]).toBe(address);
      const spec = svc?.spec as { type?: string; externalName?: string; selector?: unknown; ports: { name: string; port: number }[] };
      const [host, port] = address.split(":");
      expect(spec.selector, `${name} has no selector`).toBeUndefined();
      expect(spec.ports.map((p) => p.port)).toContain(Number(port));
      if (spec.type === "ExternalName") {
        expect(spec.externalName).toBe(host);
        continue;
      }
      // Selector-less: an EndpointSlice of IP addresses (FQDN slices are ignored by kube-proxy).
      const slices = objects.filter(
        (o) => o.kind === "EndpointSlice" && labelsOf(o)["kubernetes.io/service-name"] === name,
      );
      expect(slices.length, `${name} EndpointSlice`).toBe(1);
      const slice = slices[0] as K8sObject & {
        addressType: string;
        ports: { name: string; port: number }[];
        endpoints: { addresses: string[] }[];
      };
      expect(slice.addressType).toBe("IPv4");
      expect(labelsOf(slice)["endpointslice.kubernetes.io/managed-by"]).not.toBe("endpointslice-controller.k8s.io");
      expect(slice.ports.map((p) => p.name).sort()).toEqual(spec.ports.map((p) => p.name).sort());
      expect(slice.endpoints.flatMap((e) => e.addresses).length).toBeGreaterThan(0);
    }
  });
});

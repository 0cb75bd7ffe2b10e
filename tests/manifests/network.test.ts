// NetworkPolicies, evaluated: a small model of the NetworkPolicy semantics (default deny once a
// pod is selected for a direction; a flow needs the sender's egress and the receiver's ingress)
// checks that exactly the architecture's flows are open.
import { describe, expect, it } from "vitest";
import { find, type K8sObject, kustomizations, render, workloads } from "./render.ts";

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  ports?: { protocol?: string; port?: number | string }[];
  from?: Peer[];
  to?: Peer[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: Rule[];
  egress?: Rule[];
}

/** A pod (namespace + labels) or an address outside the cluster. */
type Endpoint = { ns: string; labels: Record<string, string> } | { ip: string };

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === "In") return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === "NotIn") return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === "Exists") return value !== undefined;
    if (e.operator === "DoesNotExist") return value === undefined;
    throw new Error(`operator ${e.operator}`);
  });
  return byLabels && byExpressions;
}

function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}
export function inCidr(ip: string, cidr: string): boolean {
  const [base = "", bits = "32"] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToInt(base) / size) * size;
  const n = ipToInt(ip);
  return n >= start && n < start + size;
}

function peerMatches(peer: Peer, other: Endpoint, policyNs: string): boolean {
  if (peer.ipBlock) {
    if (!("ip" in other)) return false; // pod-to-pod traffic is matched by selectors here
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if ("ip" in other) return false;
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, { "kubernetes.io/metadata.name": other.ns })
    : other.ns === policyNs;
  const podOk = peer.podSelector ? selects(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Endpoint, port: number, protocol: string, ns: string) {
  const portOk = !rule.ports || rule.ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port));
  const peerOk = !peers || peers.some((p) => peerMatches(p, other, ns));
  return portOk && peerOk;
}

class Network {
  constructor(
    private readonly policies: { ns: string; spec: PolicySpec }[],
    readonly ns: string,
  ) {}

  private direction(pod: Endpoint, type: "Ingress" | "Egress", other: Endpoint, port: number, protocol: string): boolean {
    if ("ip" in pod) return true; // outside the cluster: not ours to police
    const applying = this.policies.filter(
      (p) => p.ns === pod.ns && p.spec.policyTypes.includes(type) && selects(p.spec.podSelector, pod.labels),
    );
    if (applying.length === 0) return true;
    return applying.some(({ ns, spec }) =>
      (type === "Ingress" ? spec.ingress : spec.egress)?.some((rule) =>
        ruleAllows(rule, type === "Ingress" ? rule.from : rule.to, other, port, protocol, ns),
      ),
    );
  }

  allows(from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
    return this.direction(from, "Egress", to, port, protocol) && this.direction(to, "Ingress", from, port, protocol);
  }
}

describe.each(kustomizations())("%s", (dir) => {
  const objects = render(dir);
  const ns = objects.find((o) => o.kind === "Namespace")?.metadata.name ?? "default";
  const policies = objects
    .filter((o) => o.kind === "NetworkPolicy")
    .map((o) => ({ ns: o.metadata.namespace ?? ns, spec: o.spec as PolicySpec }));
  const net = new Network(policies, ns);

  const podOf = (kind: string, name: string): Endpoint => {
    const w = workloads([find(objects, kind, name) as K8sObject])[0];
    return { ns, labels: w?.template.metadata?.labels ?? {} };
  };
  const api = podOf("Deployment", "api-service");
  const web = podOf("Deployment", "web-interface");
  const worker = podOf("Deployment", "data-processing-service");
  const cron = podOf("CronJob", "data-processing-aggregate-sales");
  const migrate = podOf("Job", "db-migrate");
  const pgbouncer = podOf("Deployment", "pgbouncer");
  const oneOffJob = podOf("Job", "data-processing-job");
  const ingress: Endpoint = { ns: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" } };
  const monitoring: Endpoint = { ns: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } };
  const dns: Endpoint = { ns: "kube-system", labels: { "k8s-app": "kube-dns" } };
  const stranger: Endpoint = { ns: "other-team", labels: { app: "curious" } };
  const internet: Endpoint = { ip: "198.51.100.77" };

  /** Where a selector-less Service's EndpointSlice points. */
  const sliceAddresses = (service: string): Endpoint[] =>
    objects
      .filter((o) => o.kind === "EndpointSlice" && o.metadata.labels?.["kubernetes.io/service-name"] === service)
      .flatMap((o) => (o.endpoints as { addresses: string[] }[]).flatMap((e) => e.addresses))
      .map((ip) => ({ ip }));
  /** Some address in the networks an egress policy opens for a port (ExternalName targets). */
  const addressesFor = (policyName: string): Endpoint[] => {
    const spec = find(objects, "NetworkPolicy", policyName)?.spec as PolicySpec | undefined;
    return (spec?.egress ?? []).flatMap((r) => (r.to ?? []).flatMap((p) => (p.ipBlock ? [{ ip: p.ipBlock.cidr.split("/")[0] ?? "" }] : [])));
  };

  it("denies everything by default, in both directions", () => {
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress);
    expect(deny?.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    expect(net.allows(stranger, api, 4000)).toBe(false);
    expect(net.allows(stranger, web, 3000)).toBe(false);
    expect(net.allows(web, internet, 443)).toBe(false);
  });

  it("lets every pod resolve names", () => {
    for (const pod of [api, web, worker, cron, migrate, pgbouncer]) {
      expect(net.allows(pod, dns, 53, "UDP")).toBe(true);
      expect(net.allows(pod, dns, 53, "TCP")).toBe(true);
    }
  });

  it("opens the user-facing path: ingress controller -> web -> API", () => {
    expect(net.allows(ingress, web, 3000)).toBe(true);
    expect(net.allows(web, api, 4000)).toBe(true);
    expect(net.allows(ingress, api, 4000), "carrier callbacks via the Ingress").toBe(true);
    expect(net.allows(monitoring, api, 4000)).toBe(true);
    expect(net.allows(monitoring, worker, 9464)).toBe(true);
    expect(net.allows(monitoring, web, 9464), "the web's metrics").toBe(true);
    expect(net.allows(ingress, web, 9464), "the web's metrics are not public").toBe(false);
    for (const pod of [api, web, worker]) expect(net.allows(pod, { ns: "monitoring", labels: { "app.kubernetes.io/name": "otel-collector" } }, 4318), "traces to a collector").toBe(true);
    // Nothing else reaches the API or the processor.
    expect(net.allows(worker, api, 4000)).toBe(false);
    expect(net.allows(web, worker, 9464)).toBe(false);
    expect(net.allows(ingress, worker, 9464)).toBe(false);
  });

  it("the services reach PostgreSQL through PgBouncer only; the migration Job directly", () => {
    for (const pod of [api, worker, cron, oneOffJob]) expect(net.allows(pod, pgbouncer, 6432)).toBe(true);
    for (const pod of [web, migrate, stranger, ingress]) expect(net.allows(pod, pgbouncer, 6432)).toBe(false);
    const db = addressesFor("egress-database");
    expect(db.length).toBeGreaterThan(0);
    for (const target of db) {
      for (const pod of [pgbouncer, migrate]) expect(net.allows(pod, target, 5432)).toBe(true);
      for (const pod of [api, worker, cron, web]) expect(net.allows(pod, target, 5432)).toBe(false);
    }
    // PgBouncer talks to the database and nothing else.
    expect(net.allows(pgbouncer, internet, 443)).toBe(false);
    expect(net.allows(pgbouncer, api, 4000)).toBe(false);
  });

  it("lets only the processor reach RabbitMQ; processor and API reach public HTTPS", () => {
    for (const target of addressesFor("egress-message-queue")) {
      expect(net.allows(worker, target, 5672)).toBe(true);
      expect(net.allows(api, target, 5672)).toBe(false);
      expect(net.allows(web, target, 5672)).toBe(false);
    }
    expect(net.allows(worker, internet, 443)).toBe(true);
    expect(net.allows(api, internet, 443), "payment/carrier health checks").toBe(true);
    expect(net.allows(web, internet, 443)).toBe(false);
    expect(net.allows(migrate, internet, 443)).toBe(false);
    expect(net.allows(worker, { ip: "10.1.2.3" }, 443), "not into private networks").toBe(false);
  });

  it("lets only the processor send mail to a public SMTP server (submission ports)", () => {
    for (const port of [587, 465]) {
      expect(net.allows(worker, internet, port), `worker -> SMTP ${port}`).toBe(true);
      expect(net.allows(api, internet, port)).toBe(false);
      expect(net.allows(web, internet, port)).toBe(false);
      expect(net.allows(worker, { ip: "10.1.2.3" }, port), "not into private networks").toBe(false);
    }
    expect(net.allows(worker, internet, 25), "no direct-to-MX delivery").toBe(false);
  });

  it("opens Service 1 and Service 2 at exactly the addresses of their EndpointSlices", () => {
    const auth = sliceAddresses("auth-service");
    const inventory = sliceAddresses("inventory-service");
    expect(auth.length).toBeGreaterThan(0);
    expect(inventory.length).toBeGreaterThan(0);
    for (const target of auth) {
      expect(net.allows(api, target, 8000)).toBe(true);
      expect(net.allows(web, target, 8000)).toBe(false);
    }
    for (const target of inventory) {
      expect(net.allows(api, target, 8080)).toBe(true);
      expect(net.allows(worker, target, 8080)).toBe(true);
      expect(net.allows(web, target, 8080)).toBe(false);
    }
    // And nowhere else on those ports.
    expect(net.allows(api, internet, 8000)).toBe(false);
    expect(net.allows(api, internet, 8080)).toBe(false);
  });

  it("the model itself: CIDR arithmetic", () => {
    expect(inCidr("203.0.113.11", "203.0.113.11/32")).toBe(true);
    expect(inCidr("203.0.113.12", "203.0.113.11/32")).toBe(false);
    expect(inCidr("203.0.113.15", "203.0.113.0/28")).toBe(true);
    expect(inCidr("203.0.113.16", "203.0.113.0/28")).toBe(false);
    expect(inCidr("8.8.8.8", "0.0.0.0/0")).toBe(true);
  });
});

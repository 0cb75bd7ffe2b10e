// Every kustomization renders, and every object it renders is valid against the Kubernetes API
// schema: types and required fields (kubernetes-models) and no unknown field names.
import { beforeAll, describe, expect, it } from "vitest";
import { createFieldChecker, type FieldChecker, validateWithModels } from "./k8s-schema.ts";
import { type K8sObject, kustomizations, render, ROOT } from "./render.ts";

const dirs = kustomizations();
let checker: FieldChecker;

beforeAll(() => {
  checker = createFieldChecker(dirs.flatMap(render), ROOT);
});

describe("kustomize", () => {
  it("ships a base and the dev and production overlays", () => {
    expect(dirs).toEqual(expect.arrayContaining(["base", "overlays/dev", "overlays/production"]));
  });

  it.each(dirs)("%s renders", (dir) => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(20);
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(dirs.filter((d) => d !== "base"))("%s puts every namespaced object in its namespace", (dir) => {
    const objects = render(dir);
    const ns = objects.find((o) => o.kind === "Namespace");
    expect(ns, "overlay declares its Namespace").toBeDefined();
    for (const o of objects.filter((x) => x.kind !== "Namespace")) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ns?.metadata.name);
    }
  });
});

describe("Kubernetes API schema", () => {
  it.each(dirs)("%s: every object validates (kubernetes-models)", async (dir) => {
    const problems: string[] = [];
    for (const o of render(dir)) {
      for (const e of await validateWithModels(o)) problems.push(`${o.kind}/${o.metadata.name}: ${e}`);
    }
    expect(problems).toEqual([]);
  });

  it.each(dirs)("%s: no object has an unknown field", (dir) => {
    const problems = render(dir).flatMap((o) =>
      checker.unknownFields(o).map((e) => `${o.kind}/${o.metadata.name}: ${e}`),
    );
    expect(problems).toEqual([]);
  });

  it("the checks catch what they are meant to catch", async () => {
    const deployment = structuredClone(render("base").find((o) => o.kind === "Deployment")) as K8sObject & {
      spec: { replicas?: unknown; template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const container = deployment.spec.template.spec.containers[0] as Record<string, unknown>;
    container.resource = container.resources; // misspelt
    (container.securityContext as Record<string, unknown>).readOnlyRootFileSystem = true; // wrong case
    (deployment.metadata as Record<string, unknown>).label = {};
    expect(checker.unknownFields(deployment)).toEqual(
      expect.arrayContaining([
        "unknown field spec.template.spec.containers[0].resource",
        "unknown field spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem",
        "unknown field metadata.label",
      ]),
    );
    deployment.spec.replicas = "two";
    expect(await validateWithModels(deployment)).not.toEqual([]);
    // Free-form maps stay free-form.
    const cm = structuredClone(render("base").find((o) => o.kind === "ConfigMap")) as K8sObject;
    (cm.data as Record<string, string>).ANYTHING = "x";
    expect(checker.unknownFields(cm)).toEqual([]);
  });
});

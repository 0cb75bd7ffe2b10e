// The environment each container gets from its ConfigMaps and Secrets matches what the code
// reads: every variable its config schema requires is provided, none it does not read is, and
// the provided values (placeholders included) pass the schema. The schemas are imported, so
// this stays true as configuration grows.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { processorConfigSchema } from "../../src/processor/config.ts";
import { apiConfigSchema } from "../../src/server/config.ts";
import { webConfigSchema } from "../../src/web/config.ts";
import {
  allContainers,
  type Container,
  find,
  imageRepository,
  type K8sObject,
  kustomizations,
  render,
  workloads,
} from "./render.ts";

type Shape = Record<string, z.ZodType>;

interface Consumer {
  name: string;
  /** Variables the program reads; `required` ones must be provided. */
  shape: Shape;
  schema?: z.ZodType;
}

function fromSchema(name: string, schema: z.ZodObject, runtime: Shape = {}): Consumer {
  return { name, shape: { ...(schema.shape as Shape), ...runtime }, schema };
}

/** Read by Next's standalone server.js, not by src/web/config.ts. */
const NEXT_SERVER_ENV: Shape = { HOSTNAME: z.string().optional(), PORT: z.string().optional() };

/** scripts/db/migrate.ts and scripts/images/wait-for-migrations.ts read these two, outside any schema module. */
function toolConsumer(): Consumer {
  return { name: "migration tools", shape: { DATABASE_URL: z.string(), MIGRATIONS_DIR: z.string().optional() } };
}

/** PgBouncer reads no environment: pgbouncer.ini and userlist.txt are mounted files (pgbouncer.test.ts). */
const PGBOUNCER: Consumer = { name: "pgbouncer", shape: {} };

/** Which program a container runs: by image, and by command for the API image's tools. */
function consumerOf(c: Container): Consumer {
  const repo = imageRepository(c.image);
  if (repo === "pgbouncer") return PGBOUNCER;
  const runsTool = c.command?.some((a) => /(migrate|wait-for-migrations)\.mjs$/.test(a)) ?? false;
  if (runsTool) return toolConsumer();
  if (repo === "api-service") return fromSchema("api", apiConfigSchema);
  if (repo === "data-processing-service") return fromSchema("processor", processorConfigSchema);
  if (repo === "web-interface") return fromSchema("web", webConfigSchema, NEXT_SERVER_ENV);
  throw new Error(`no config schema known for image ${c.image}`);
}

function isRequired(field: z.ZodType): boolean {
  return !field.safeParse(undefined).success;
}

/** Secrets an overlay leaves to the cluster (production) keep the keys the base declares. */
function dataOf(objects: K8sObject[], kind: "ConfigMap" | "Secret", name: string): Record<string, string> | undefined {
  const o = find(objects, kind, name) ?? (kind === "Secret" ? find(render("base"), kind, name) : undefined);
  if (!o) return undefined;
  if (kind === "ConfigMap") return (o.data as Record<string, string> | undefined) ?? {};
  const encoded = Object.fromEntries(
    Object.entries((o.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, "base64").toString("utf8"),
    ]),
  );
  return { ...encoded, ...((o.stringData as Record<string, string> | undefined) ?? {}) };
}

/** The environment a container would see, as far as the manifests define it. */
function environmentOf(objects: K8sObject[], c: Container): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? "ConfigMap" : "Secret";
    const data = ref && dataOf(objects, kind, ref.name);
    if (!data) problems.push(`envFrom ${kind}/${ref?.name} does not exist`);
    else Object.assign(env, data);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (ref) {
      const kind = e.valueFrom?.secretKeyRef ? "Secret" : "ConfigMap";
      const value = dataOf(objects, kind, ref.name)?.[ref.key];
      if (value === undefined) problems.push(`${e.name}: ${kind}/${ref.name} has no key ${ref.key}`);
      else env[e.name] = value;
    }
  }
  return { env, problems };
}

describe("configuration schemas", () => {
  it("are zod objects with at least one required variable", () => {
    for (const schema of [apiConfigSchema, processorConfigSchema]) {
      expect(Object.values(schema.shape as Shape).some(isRequired)).toBe(true);
    }
    expect(Object.keys(webConfigSchema.shape)).toContain("API_URL");
  });
});

describe.each(kustomizations())("%s", (dir) => {
  const objects = render(dir);
  const containers = workloads(objects).flatMap((w) =>
    allContainers(w.template.spec).map(({ container }) => ({
      where: `${w.object.kind}/${w.object.metadata.name} container ${container.name}`,
      container,
    })),
  );

  it("every container gets every variable its program requires, and none it does not read", () => {
    for (const { where, container } of containers) {
      const consumer = consumerOf(container);
      const { env, problems } = environmentOf(objects, container);
      expect(problems, where).toEqual([]);
      const required = Object.entries(consumer.shape)
        .filter(([, field]) => isRequired(field))
        .map(([key]) => key);
      const missing = required.filter((key) => !(key in env));
      expect(missing, `${where} (${consumer.name}) lacks`).toEqual([]);
      const unread = Object.keys(env).filter((key) => !(key in consumer.shape));
      expect(unread, `${where} (${consumer.name}) is given variables the code does not read`).toEqual([]);
    }
  });

  it("the values provided (placeholders included) pass the program's schema", () => {
    for (const { where, container } of containers) {
      const consumer = consumerOf(container);
      if (!consumer.schema) continue;
      const result = consumer.schema.safeParse(environmentOf(objects, container).env);
      expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`), where).toEqual([]);
    }
  });

  it("credentials come from Secrets, never from ConfigMaps", () => {
    const secretLike = /(URL|TOKEN|KEY|SECRET|PASSWORD)$/;
    for (const cm of objects.filter((o) => o.kind === "ConfigMap")) {
      for (const [key, value] of Object.entries((cm.data as Record<string, string>) ?? {})) {
        const hasCredentials = /:\/\/[^/@\s]+:[^/@\s]+@/.test(value) || (secretLike.test(key) && !/_URL$/.test(key));
        expect(hasCredentials, `ConfigMap/${cm.metadata.name} ${key}`).toBe(false);
      }
    }
  });
});

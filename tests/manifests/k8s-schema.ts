// Validation of rendered objects against the Kubernetes API schema, in two halves:
//  1. kubernetes-models' compiled validators: types, enums, required fields. They accept any
//     unknown field (the OpenAPI documents leave additionalProperties open).
//  2. Unknown fields: kubernetes-models also ships the schema as TypeScript declarations (one
//     interface per definition). The TypeScript compiler resolves them and this walks each object
//     alongside its type: a key that is not a property of the type (and the type has no index
//     signature) is an unknown field, e.g. `spec.template.spec.containers[0].resource`.
import path from "node:path";
import ts from "typescript";
import type { K8sObject } from "./render.ts";

/** apiVersion -> the kubernetes-models module folder ("v1" for core, else group/version). */
export function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Runs kubernetes-models' validator for the object's kind; returns error lines. */
export async function validateWithModels(o: K8sObject): Promise<string[]> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(modelModule(o.apiVersion, o.kind))) as Record<string, unknown>;
  } catch {
    return [`${o.apiVersion}/${o.kind}: no such kind in kubernetes-models`];
  }
  const Model = mod[o.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`${o.apiVersion}/${o.kind}: no model class`];
  try {
    new Model(o).validate();
    return [];
  } catch (err) {
    const details = (err as { errors?: { instancePath: string; message?: string }[] }).errors;
    if (details?.length) return details.map((e) => `${e.instancePath || "/"} ${e.message ?? "invalid"}`);
    return [err instanceof Error ? err.message : String(err)];
  }
}

export interface FieldChecker {
  unknownFields(o: K8sObject): string[];
}

/** Builds one TypeScript program over the declarations of every kind given. */
export function createFieldChecker(kinds: { apiVersion: string; kind: string }[], root: string): FieldChecker {
  const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()];
  const virtualFile = path.join(root, "tests/manifests/__k8s_kinds__.ts");
  const source = unique
    .map((k, i) => `export type K${i} = import("${modelModule(k.apiVersion, k.kind)}").I${k.kind};`)
    .join("\n");
  // The declarations need only these globals; the full lib.d.ts would double the load time.
  const libFile = path.join(root, "tests/manifests/__k8s_lib__.d.ts");
  const lib = [
    "interface Array<T> { length: number; [n: number]: T; }",
    "interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }",
    "interface Boolean {} interface Function {} interface CallableFunction {} interface NewableFunction {}",
    "interface IArguments {} interface Number {} interface Object {} interface RegExp {} interface String {}",
    "interface Promise<T> { then(f: (v: T) => void): void; }",
    "type Record<K extends keyof any, T> = { [P in K]: T };",
    "type Partial<T> = { [P in keyof T]?: T[P] };",
    "type Omit<T, K extends keyof any> = { [P in Exclude<keyof T, K>]: T[P] };",
    "type Exclude<T, U> = T extends U ? never : T;",
    "type Pick<T, K extends keyof T> = { [P in K]: T[P] };",
  ].join("\n");
  const virtual = new Map([
    [virtualFile, source],
    [libFile, lib],
  ]);
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    noLib: true,
    types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const baseGetSourceFile = host.getSourceFile.bind(host);
  const baseFileExists = host.fileExists.bind(host);
  const baseReadFile = host.readFile.bind(host);
  host.fileExists = (f) => virtual.has(f) || baseFileExists(f);
  host.readFile = (f) => virtual.get(f) ?? baseReadFile(f);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text === undefined ? baseGetSourceFile(f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
  };
  const program = ts.createProgram([libFile, virtualFile], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(virtualFile);
  if (!sf) throw new Error("virtual source file missing");

  const typeByKind = new Map<string, ts.Type>();
  sf.statements.forEach((statement, i) => {
    if (!ts.isTypeAliasDeclaration(statement)) return;
    const k = unique[i];
    if (!k) return;
    const type = checker.getTypeFromTypeNode(statement.type);
    if (type.flags & ts.TypeFlags.Any) throw new Error(`types for ${k.apiVersion}/${k.kind} did not resolve`);
    typeByKind.set(`${k.apiVersion}/${k.kind}`, type);
  });

  const isObjectType = (t: ts.Type) => (t.flags & ts.TypeFlags.Object) !== 0 || t.isIntersection();
  const arrayElement = (t: ts.Type): ts.Type | undefined => {
    if (checker.isArrayType(t) || checker.isTupleType(t)) return checker.getTypeArguments(t as ts.TypeReference)[0];
    return t.getNumberIndexType();
  };

  function walk(value: unknown, declared: ts.Type, at: string, errors: string[]): void {
    if (value === null || value === undefined) return;
    const type = checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (type.isUnion()) {
      // e.g. IntOrString (number | string): primitives are the validators' business.
      if (typeof value !== "object") return;
      const candidates = type.types.filter((t) => isObjectType(t));
      if (candidates.length === 0) return;
      // Pick the member that explains the value best.
      let best: string[] | undefined;
      for (const candidate of candidates) {
        const errs: string[] = [];
        walk(value, candidate, at, errs);
        if (!best || errs.length < best.length) best = errs;
      }
      errors.push(...(best ?? []));
      return;
    }
    if (Array.isArray(value)) {
      const element = arrayElement(type);
      if (!element) return;
      value.forEach((item, i) => walk(item, element, `${at}[${i}]`, errors));
      return;
    }
    if (typeof value !== "object" || !isObjectType(type)) return;
    const index = type.getStringIndexType();
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const prop = checker.getPropertyOfType(type, key);
      const where = at ? `${at}.${key}` : key;
      if (prop) walk(child, checker.getTypeOfSymbol(prop), where, errors);
      else if (index) walk(child, index, where, errors);
      else errors.push(`unknown field ${where}`);
    }
  }

  return {
    unknownFields(o) {
      const type = typeByKind.get(`${o.apiVersion}/${o.kind}`);
      if (!type) return [`${o.apiVersion}/${o.kind}: no type declarations`];
      const errors: string[] = [];
      walk(o, type, "", errors);
      return errors;
    },
  };
}

import { readFileSync } from "node:fs";
import { isCelError, run } from "@bufbuild/cel";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { toCel } from "./admission-policy.ts";

/**
 * Validates an object against a CustomResourceDefinition's
 * openAPIV3Schema the way kube-apiserver does for the parts a JSON Schema
 * validator can check (types, enums, lengths, required, patterns), plus:
 * - unknown fields are errors, as with `kubectl apply --validate=strict`
 *   (the default since 1.27): `additionalProperties: false` is added wherever
 *   the schema lists properties and neither preserves unknown fields nor
 *   allows additional properties;
 * - x-kubernetes-validations rules evaluated with @bufbuild/cel, `self` (and
 *   `oldSelf` for an update: transition rules run only then, as in
 *   apiextensions-apiserver pkg/apiserver/schema/cel) bound to the value in
 *   its unstructured form. Rules calling Kubernetes' CEL extension libraries
 *   (split, …: cel-go ext.Strings) are not plain CEL: they are reported in
 *   `skipped`, never silently passed.
 */
export interface CrdCheck {
  errors: string[];
  /** Rules not evaluated because they need a Kubernetes CEL library. */
  skipped: string[];
}

type Schema = Record<string, unknown>;

export function loadCrdSchema(path: string, version: string): Schema {
  const crd = parse(readFileSync(path, "utf8")) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> };
  };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${path}: no version ${version}`);
  return found.schema.openAPIV3Schema;
}

/** Kubernetes CEL libraries the rules may call that plain CEL lacks (k8s.io/apiserver/pkg/cel/library, cel-go ext). */
const K8S_ONLY =
  /\.(split|join|lowerAscii|upperAscii|replace|substring|trim|indexOf|lastIndexOf)\(|\b(quantity|url|ip|cidr|isSorted|sum|min|max)\(/;

export function checkAgainstCrd(schema: Schema, object: unknown, oldObject?: unknown): CrdCheck {
  const errors: string[] = [];
  const skipped: string[] = [];
  const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: goRegExp } });
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat("int32", true).addFormat("int64", true);
  const validate = ajv.compile(strictFields(schema));
  if (!validate(object)) {
    for (const e of validate.errors ?? []) {
      errors.push(`${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
    }
  }
  celRules(schema, object, oldObject, "", errors, skipped);
  return { errors, skipped };
}

/**
 * CRD patterns are Go RE2; the only RE2 syntax in the vendored CRDs that
 * JavaScript lacks is the `(?i)` flag group (case-insensitive), mapped to the `i` flag.
 */
const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes("(?i)")
      ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`)
      : new RegExp(pattern, flags),
  { code: "goRegExp" },
);

function strictFields(schema: Schema): Schema {
  const out: Schema = { ...schema };
  delete out["x-kubernetes-validations"];
  if (out.properties && typeof out.properties === "object") {
    out.properties = Object.fromEntries(
      Object.entries(out.properties as Record<string, Schema>).map(([k, v]) => [k, strictFields(v)]),
    );
    if (out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
      out.additionalProperties = false;
    }
  }
  if (out.items && typeof out.items === "object") out.items = strictFields(out.items as Schema);
  if (out.additionalProperties && typeof out.additionalProperties === "object") {
    out.additionalProperties = strictFields(out.additionalProperties as Schema);
  }
  return out;
}

function celRules(
  schema: Schema,
  value: unknown,
  old: unknown,
  path: string,
  errors: string[],
  skipped: string[],
): void {
  if (value === undefined) return;
  const rules = (schema["x-kubernetes-validations"] as Array<{ rule: string; message?: string }>) ?? [];
  for (const { rule, message } of rules) {
    const transition = /\boldSelf\b/.test(rule);
    if (transition && old === undefined) continue;
    if (K8S_ONLY.test(rule)) {
      skipped.push(`${path || "/"}: ${rule}`);
      continue;
    }
    const bindings = { self: toCel(value), ...(transition ? { oldSelf: toCel(old) } : {}) };
    const result = run(rule, bindings);
    if (isCelError(result)) errors.push(`${path || "/"}: rule ${rule}: ${result.message}`);
    else if (result !== true) errors.push(`${path || "/"}: ${message ?? `failed rule: ${rule}`}`);
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties && value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, sub] of Object.entries(properties)) {
      const oldChild = old && typeof old === "object" ? (old as Record<string, unknown>)[key] : undefined;
      celRules(sub, (value as Record<string, unknown>)[key], oldChild, `${path}/${key}`, errors, skipped);
    }
  }
  const items = schema.items as Schema | undefined;
  if (items && Array.isArray(value)) {
    // Transition rules on list items need correlation (list-map keys); none of the vendored CRDs has them.
    for (const [i, v] of value.entries()) celRules(items, v, undefined, `${path}/${i}`, errors, skipped);
  }
}

/**
 * Validators built from the upstream schemas vendored in
 * test/fixtures/provisioning (tags in its README): CRD OpenAPI v3 schemas
 * (Cluster API, Karpenter) and Talos' config JSON Schema (draft 2020-12).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

export const FIXTURES = join(import.meta.dirname, "../fixtures/provisioning");

/** Tags of the vendored files, named by the tests that check against them. */
export const UPSTREAM = {
  clusterApi: "kubernetes-sigs/cluster-api v1.14.0",
  karpenter: "aws/karpenter-provider-aws v1.14.1",
  talosNew: "siderolabs/talos v1.13.9",
  talosOld: "siderolabs/talos v1.11.6",
} as const;

function newAjv(): Ajv2020 {
  // strict off: OpenAPI's x-kubernetes-* extensions and `nullable` are not JSON Schema keywords.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
  // OpenAPI integer formats and Kubernetes' quantity-like formats: not checked by the API server either.
  for (const f of ["int32", "int64", "double", "float", "byte"]) ajv.addFormat(f, true);
  return ajv;
}

/**
 * The OpenAPI v3 schema of one version of a vendored CRD, as a validator.
 * The API server prunes and validates `apiVersion`/`kind` itself; the
 * schema checks the rest (structure, types, enums, patterns, required).
 * x-kubernetes-validations (CEL) are not evaluated.
 */
export function crdValidator(file: string, version: string): ValidateFunction {
  const crd = parse(readFileSync(join(FIXTURES, file), "utf8")) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${file} has no version ${version}`);
  return newAjv().compile(found.schema.openAPIV3Schema);
}

export function talosSchema(file: string): { root: ValidateFunction; def(name: string): ValidateFunction } {
  const schema = JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as { $id: string };
  const ajv = newAjv();
  ajv.addSchema(schema);
  return {
    root: ajv.getSchema(schema.$id) as ValidateFunction,
    def: (name) => ajv.compile({ $ref: `${schema.$id}#/$defs/${name}` }),
  };
}

export function errorsOf(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors, null, 1);
}

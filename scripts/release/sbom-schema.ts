/**
 * Checks an SBOM against the CycloneDX 1.5 JSON Schema as the CycloneDX
 * project publishes it (the copy inside @cyclonedx/cyclonedx-library's
 * res/schema, with the SPDX licence-id and JSF schemas it references).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
const SCHEMA_DIR = join(
  dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")),
  "res",
  "schema",
);

type Validate = ((value: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string }[] | null;
};
let validate: Validate | undefined;

function load(): Validate {
  if (validate) return validate;
  const Ajv = AjvModule as unknown as new (
    opts: object,
  ) => {
    addSchema(schema: object): void;
    addFormat(name: string, format: RegExp | boolean): void;
    compile(schema: object): Validate;
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormatsModule as unknown as (a: unknown) => void)(ajv);
  // Formats ajv-formats lacks; the schema's patterns and types still apply.
  ajv.addFormat("idn-email", /^[^\s@]+@[^\s@]+$/);
  ajv.addFormat("iri-reference", /^\S*$/);
  const read = (name: string) => JSON.parse(readFileSync(join(SCHEMA_DIR, name), "utf8")) as object;
  // The bom schema refers to its companions by their file names; give them those ids.
  for (const name of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"]) {
    ajv.addSchema({ ...read(name), $id: `http://cyclonedx.org/schema/${name}` });
  }
  validate = ajv.compile(read("bom-1.5.SNAPSHOT.schema.json"));
  return validate;
}

/** Violations of CycloneDX 1.5 (empty when the BOM is valid). */
export function cyclonedxViolations(bom: unknown): string[] {
  const check = load();
  if (check(bom)) return [];
  return (check.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

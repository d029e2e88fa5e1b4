import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TreeCase } from "./handpicked.ts";
import type { OraclePki } from "./pki.ts";

/** Writes one case under `dir`; returns the config.toml path. */
export function materialize(c: TreeCase, dir: string, pki: OraclePki): string {
  const expand = (text: string) => text.replaceAll("/ABS/", `${dir}/abs/`).replaceAll("$ROOT", dir);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(dir, "abs"), { recursive: true });
  writeFileSync(join(dir, "abs", "ca.crt"), pki.cas[11] as string);
  for (const [rel, content] of Object.entries(c.files)) {
    const path = join(dir, rel);
    mkdirSync(content === null ? path : dirname(path), { recursive: true });
    if (content !== null) writeFileSync(path, expand(pem(content, pki)));
  }
  const config = join(dir, "config.toml");
  writeFileSync(config, expand(c.config));
  return config;
}

function pem(content: string, pki: OraclePki): string {
  if (!content.startsWith("@")) return content;
  const ca = /^@ca(\d+)$/.exec(content);
  if (ca) return pki.cas[Number(ca[1])] as string;
  switch (content) {
    case "@clientCert":
      return pki.clientCert;
    case "@clientKey":
      return pki.clientKey;
    case "@otherKey":
      return pki.otherKey;
    case "@combined":
      return pki.clientCert + pki.clientKey;
    case "@garbage":
      return "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
    default:
      throw new Error(`unknown PKI token ${content}`);
  }
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { rootCertificates } from "node:tls";
import { createPrivatePki } from "../pki/generate.ts";
import { parseCertificate } from "../pki/parse-certificate.ts";
import { isPublicRootName } from "./public-roots.ts";

function der(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
}

test("a root from Node's bundled Mozilla list is public", () => {
  const root = parseCertificate(der(rootCertificates[0] ?? ""));
  assert.equal(isPublicRootName(root.subjectKey), true);
});

test("a freshly generated private root is not public", async () => {
  const pki = await createPrivatePki({ hostnames: ["repo.example.com"] });
  assert.equal(isPublicRootName(parseCertificate(pki.root.der).subjectKey), false);
  assert.equal(isPublicRootName(parseCertificate(pki.intermediate.der).issuerKey), false);
});

import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import { createPrivatePki } from "../../pki/generate.ts";
import { makeNodeRoot } from "../testing/node-root.ts";
import { clientPairError } from "./client-pair.ts";

test("clientPairError: Go's tls.X509KeyPair outcomes, in containerd's words", async () => {
  const pki = await createPrivatePki({ hostnames: ["reg.example.com"] });
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
    type: "pkcs8",
    format: "pem",
  });
  const node = makeNodeRoot({
    "/c/leaf.pem": pki.leaf.certPem,
    "/c/leaf.key": pki.leaf.keyPem,
    "/c/both.pem": pki.leaf.certPem + pki.leaf.keyPem,
    "/c/other.key": String(other),
    "/c/garbage.pem": "not pem\n",
  });
  try {
    const fs = node.fs;
    assert.equal(clientPairError(fs, "/c/leaf.pem", "/c/leaf.key"), null);
    assert.equal(clientPairError(fs, "/c/both.pem", null), null);
    assert.match(
      clientPairError(fs, "/c/missing.pem", null) ?? "",
      /^unable to read CERT file "\/c\/missing.pem"/,
    );
    assert.match(
      clientPairError(fs, "/c/leaf.pem", "/c/missing.key") ?? "",
      /^unable to read CERT file "\/c\/missing.key"/,
    );
    assert.match(
      clientPairError(fs, "/c/leaf.pem", null) ?? "",
      /^failed to load X509 key pair: .*PRIVATE KEY/,
    );
    assert.match(
      clientPairError(fs, "/c/leaf.pem", "/c/other.key") ?? "",
      /^failed to load X509 key pair: tls: private key does not match public key/,
    );
    assert.match(
      clientPairError(fs, "/c/garbage.pem", "/c/leaf.key") ?? "",
      /^failed to load X509 key pair: tls: failed to find any PEM data/,
    );
  } finally {
    node.cleanup();
  }
});

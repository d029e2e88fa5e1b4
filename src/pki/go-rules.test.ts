import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ASSUMED_GO, goMinor, goRules, tlsErrorText } from "./go-rules.ts";

/** Debian's GOPATH builds (containerd 1.7.24 in Debian 13, go1.24.4) carry Go 1.20's defaults. */
const GOPATH_DEFAULTS = "asynctimerchan=1,rsa1024min=0,tls10server=1,x509negativeserial=1,x509usepolicies=0";

describe("goRules: the version-dependent crypto/x509 + crypto/tls rules (proven by test/oracle)", () => {
  const table: {
    version: string;
    godebug: string | null;
    prefix: boolean;
    sha1Hint: boolean;
    dupOid: boolean;
    negSerial: boolean;
    rsaMin: number;
    policies: boolean;
  }[] = [
    {
      version: "go1.19.8",
      godebug: null,
      prefix: false,
      sha1Hint: true,
      dupOid: false,
      negSerial: false,
      rsaMin: 0,
      policies: false,
    },
    {
      version: "go1.20.14",
      godebug: null,
      prefix: true,
      sha1Hint: true,
      dupOid: false,
      negSerial: false,
      rsaMin: 0,
      policies: false,
    },
    {
      version: "go1.22.12",
      godebug: GOPATH_DEFAULTS,
      prefix: true,
      sha1Hint: true,
      dupOid: false,
      negSerial: false,
      rsaMin: 0,
      policies: false,
    },
    {
      version: "go1.23.5",
      godebug: null,
      prefix: true,
      sha1Hint: true,
      dupOid: true,
      negSerial: true,
      rsaMin: 0,
      policies: false,
    },
    {
      version: "go1.23.5",
      godebug: GOPATH_DEFAULTS,
      prefix: true,
      sha1Hint: true,
      dupOid: true,
      negSerial: false,
      rsaMin: 0,
      policies: false,
    },
    {
      version: "go1.24.4",
      godebug: null,
      prefix: true,
      sha1Hint: false,
      dupOid: true,
      negSerial: true,
      rsaMin: 1024,
      policies: true,
    },
    {
      version: "go1.24.4",
      godebug: GOPATH_DEFAULTS,
      prefix: true,
      sha1Hint: false,
      dupOid: true,
      negSerial: false,
      rsaMin: 0,
      policies: true,
    },
  ];
  for (const row of table) {
    it(`${row.version}${row.godebug ? " with GOPATH-build DefaultGODEBUG" : ""}`, () => {
      const rules = goRules({ version: row.version, defaultGodebug: row.godebug });
      assert.deepEqual(
        {
          prefix: rules.verifyErrorPrefix,
          sha1Hint: rules.sha1GodebugHint,
          dupOid: rules.duplicateExtensionNamesOid,
          negSerial: rules.rejectsNegativeSerial,
          rsaMin: rules.rsaMinimumBits,
          policies: rules.checksPolicies,
        },
        {
          prefix: row.prefix,
          sha1Hint: row.sha1Hint,
          dupOid: row.dupOid,
          negSerial: row.negSerial,
          rsaMin: row.rsaMin,
          policies: row.policies,
        },
      );
    });
  }

  it("an unreadable version falls back to the assumed Go's minor", () => {
    assert.equal(goMinor("devel +abc"), null);
    assert.equal(goRules({ version: "devel +abc", defaultGodebug: null }).minor, goMinor(ASSUMED_GO.version));
  });

  it("the same build yields the same rules object (per-rules caches are shared)", () => {
    assert.equal(
      goRules({ version: "go1.21.1", defaultGodebug: null }),
      goRules({ version: "go1.21.1", defaultGodebug: null }),
    );
  });

  it("tlsErrorText: the parse prefix always, the verify prefix from Go 1.20", () => {
    const old = goRules({ version: "go1.19.8", defaultGodebug: null });
    const modern = goRules({ version: "go1.24.4", defaultGodebug: null });
    const verify = { kind: "unknown-authority", message: "x509: certificate signed by unknown authority" };
    const parse = { kind: "parse-failure", message: "x509: malformed certificate" };
    assert.equal(tlsErrorText(old, verify), "x509: certificate signed by unknown authority");
    assert.equal(
      tlsErrorText(modern, verify),
      "tls: failed to verify certificate: x509: certificate signed by unknown authority",
    );
    for (const rules of [old, modern]) {
      assert.equal(
        tlsErrorText(rules, parse),
        "tls: failed to parse certificate from server: x509: malformed certificate",
      );
    }
  });
});

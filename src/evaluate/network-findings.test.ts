import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ProbeResult, TlsFacts } from "../probe/types.ts";
import { parseTarget } from "../target/parse-target.ts";
import { networkVerdict } from "./network-findings.ts";

function failedTls(target: string, message: string, extra: Partial<TlsFacts> = {}): ProbeResult {
  const t = parseTarget(target);
  return {
    target: t,
    dns: { ok: true, addresses: ["127.0.0.1"], error: null },
    tcp: { ok: true, address: "127.0.0.1", port: t.port, error: null },
    tls: {
      ok: false,
      protocol: null,
      cipher: null,
      presented: [],
      serverName: t.serverName,
      error: { kind: "other", code: "ERR_SSL_X", message, tlsKind: "handshake" },
      ...extra,
    },
    registry: null,
    realm: null,
    plainHttp: null,
    durationMs: 1,
  };
}

describe("networkVerdict: TLS handshake failures", () => {
  test("says whether the failure came before or after the server's certificates", () => {
    const before = networkVerdict(failedTls("repo.example.com:5000", "bad thing"), 1000);
    assert.match(before?.finding.message ?? "", /failed before any certificate could be checked: bad thing/);
    const message = { bytes: 10, complete: true, entryBytes: [7] };
    const after = networkVerdict(
      failedTls("repo.example.com:5000", "too long", { certificateMessage: message }),
      1000,
    );
    assert.match(after?.finding.message ?? "", /failed after the server sent its certificates: too long/);
  });

  test("an unrecognized_name alert to an IP target: the fix says SNI is required and none is sent by IP", () => {
    const alert = "tlsv1 unrecognized name (TLS alert 112)";
    const byIp = networkVerdict(failedTls("127.0.0.1:5000", alert), 1000);
    assert.match(
      byIp?.finding.fix.join("\n") ?? "",
      /requires SNI, and none is sent .* by IP \(127\.0\.0\.1\)/,
    );
    const byName = networkVerdict(failedTls("repo.example.com:5000", alert), 1000);
    assert.doesNotMatch(byName?.finding.fix.join("\n") ?? "", /requires SNI/);
  });
});

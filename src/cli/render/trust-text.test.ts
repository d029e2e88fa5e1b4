import assert from "node:assert/strict";
import { test } from "node:test";
import { GO_DAEMONS_CACHE_ROOTS_NOTE } from "../../node/system/system-store-plan.ts";
import type { TrustReport } from "../../trust/report.ts";
import { makeStyle } from "../style.ts";
import { renderTrustText } from "./trust-text.ts";

const REGISTRY = "repo.example.com:11000";
const CA_DIR = `/etc/containerd/certs.d/${REGISTRY}`;

/** A successful trust on a containerd node with the OS store, as trust reports it. */
function report(): TrustReport {
  return {
    schemaVersion: 1,
    target: REGISTRY,
    dryRun: false,
    action: "trust",
    contexts: [
      {
        name: "system",
        changes: ["/usr/local/share/ca-certificates/regtrust-repo.example.com_11000-745ccdbd6278.crt"],
        restart: null,
        verified: true,
        detail: "verifies the registry's chain",
      },
      {
        name: "containerd",
        changes: [`${CA_DIR}/regtrust-745ccdbd6278.crt`, `${CA_DIR}/hosts.toml`],
        restart: null,
        verified: true,
        detail: "verifies the registry's chain",
      },
    ],
    commands: [
      {
        kind: "refresh",
        reason: "rebuild the OS CA bundle",
        planned: ["update-ca-certificates"],
        ran: ["update-ca-certificates"],
        via: "direct",
        status: "ok",
        exitCode: 0,
        detail: "",
        manual: null,
      },
    ],
    diagnosis: null,
    ca: {
      source: "/tmp/root.pem",
      certificates: [
        {
          subject: "CN=Example Corp Private Root CA, O=regtrust test",
          sha256:
            "74:5C:CD:BD:62:78:87:D7:8D:AA:A1:76:97:E2:1E:A4:72:C1:E3:C8:F8:31:DF:EC:CC:0C:87:47:9F:EA:4D:8A",
          notAfter: "2031-01-01T00:00:00Z",
        },
      ],
    },
    expiresAt: null,
    effects: [
      ...["/usr", "/usr/local", "/usr/local/share", "/etc/containerd/certs.d", CA_DIR].map((path) => ({
        op: "mkdir" as const,
        path,
        reason: "parent",
        done: true,
      })),
      { op: "write", path: `${CA_DIR}/hosts.toml`, reason: "hosts.toml", done: true },
      { op: "write", path: `${CA_DIR}/regtrust-745ccdbd6278.crt`, reason: "CA", done: true },
      { op: "write", path: "/usr/local/share/ca-certificates/x.crt", reason: "CA", done: true },
    ],
    changed: true,
    expiredRemoved: [],
    notes: [GO_DAEMONS_CACHE_ROOTS_NOTE],
    preview: null,
  };
}

const plain = makeStyle(false);

test("trust text: a successful run fits in about 15 lines; the every-run note waits for --verbose (issue #17)", () => {
  const text = renderTrustText(report(), plain);
  const lines = text.trimEnd().split("\n");
  assert.ok(lines.length <= 16, `${lines.length} lines:\n${text}`);
  assert.ok(lines.filter((l) => l.trim() !== "").length <= 13, text);
  assert.match(
    text,
    /^Applied {2}3 files written, 5 directories created; ran update-ca-certificates {2}\(each one: --verbose\)$/m,
  );
  assert.match(
    text,
    /^CA {2}CN=Example Corp Private Root CA, O=regtrust test {2}SHA256 74:5C:CD:BD:62:78:87:D7…/m,
  );
  assert.doesNotMatch(text, /Running Go daemons/);
  assert.match(text, /✓ verified/);
});

test("trust text --verbose: every effect, every command and every note", () => {
  const text = renderTrustText(report(), plain, { verbose: true });
  assert.match(text, /^ {2}created \/usr\/local$/m);
  assert.match(text, /^ {2}wrote {3}\/etc\/containerd\/certs\.d\/repo\.example\.com:11000\/hosts\.toml$/m);
  assert.match(text, /ran {5}update-ca-certificates/);
  assert.match(text, /Running Go daemons/);
  assert.match(
    text,
    /SHA256 74:5C:CD:BD:62:78:87:D7:8D:AA:A1:76:97:E2:1E:A4:72:C1:E3:C8:F8:31:DF:EC:CC:0C:87:47:9F:EA:4D:8A/,
  );
});

test("trust text: a command that failed or is left to run is shown in full without --verbose", () => {
  const r = report();
  r.commands.push({
    kind: "restart",
    reason: "containerd reads config.toml only at start",
    planned: ["systemctl", "restart", "containerd"],
    ran: null,
    via: null,
    status: "not-run",
    exitCode: null,
    detail: "--restart was not given",
    manual: "systemctl restart containerd",
  });
  const text = renderTrustText(r, plain);
  assert.match(
    text,
    /to run {2}systemctl restart containerd {4}# containerd reads config\.toml only at start/,
  );
});

import { finding } from "../findings/finding.ts";
import type { ProbeResult } from "../probe/types.ts";
import { oversizedCertificateVerdict } from "./certificate-message-findings.ts";
import type { NetworkVerdict } from "./network-verdict.ts";

export type { NetworkVerdict } from "./network-verdict.ts";

/** Null when the TLS handshake completed; otherwise the one network-level cause. */
export function networkVerdict(probe: ProbeResult, timeoutMs: number): NetworkVerdict | null {
  const t = probe.target;
  const hostPort = `${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
  if (!probe.dns.ok) {
    const err = probe.dns.error;
    if (err?.kind === "timeout")
      return timeoutVerdict(`the DNS lookup of ${t.host}`, timeoutMs, `lookup ${t.host}: i/o timeout`);
    return {
      runtimeError: `dial tcp: lookup ${t.host}: no such host`,
      finding: finding(
        "dns-failure",
        "error",
        `The node cannot resolve ${t.host}: ${err?.code ?? "no address"}.`,
        {
          evidence: [err?.message ?? "no addresses returned"],
          fix: [
            `getent hosts ${t.host}   # check /etc/hosts and the resolver this node uses (/etc/resolv.conf)`,
            "Fix the DNS record, or add the registry to /etc/hosts on the node.",
          ],
        },
      ),
    };
  }
  const tcp = probe.tcp;
  const address = tcp?.address ?? probe.dns.addresses[0] ?? t.host;
  const dial = `${address.includes(":") ? `[${address}]` : address}:${t.port}`;
  if (tcp && !tcp.ok) return tcpVerdict(tcp.error, dial, hostPort, timeoutMs);
  const tls = probe.tls;
  if (tls && !tls.ok && tls.error) {
    if (tls.error.tlsKind === "plain-http") return plainHttpVerdict(probe, hostPort);
    if (tls.error.tlsKind === "timeout") {
      return timeoutVerdict(
        `the TLS handshake with ${hostPort}`,
        timeoutMs,
        "net/http: TLS handshake timeout",
      );
    }
    const oversized = oversizedCertificateVerdict(tls, hostPort);
    if (oversized) return oversized;
    return {
      runtimeError:
        tls.error.tlsKind === "reset" ? `read tcp ${dial}: connection reset by peer` : tls.error.message,
      finding: finding(
        "tls-handshake-failed",
        "error",
        tls.certificateMessage
          ? `The TLS handshake with ${hostPort} failed after the server sent its certificates: ${tls.error.message}.`
          : `The TLS handshake with ${hostPort} failed before any certificate could be checked: ${tls.error.message}.`,
        {
          evidence: [`${tls.error.code}: ${tls.error.message}`],
          fix: [
            `openssl s_client -connect ${dial} -servername ${t.serverName ?? t.host} </dev/null   # see the server's side of the failure`,
            "Check that the port serves TLS 1.2 or newer, that it accepts this SNI name, and whether it requires a client certificate.",
            // RFC 6066 §3: unrecognized_name (112). Go, like this probe, sends no SNI for an IP literal.
            t.serverName === null && /TLS alert 112\b/.test(tls.error.message)
              ? `The server requires SNI, and none is sent when the registry is addressed by IP (${t.host}): pull through a DNS name its certificate covers, or give the server a default certificate.`
              : "",
          ].filter(Boolean),
        },
      ),
    };
  }
  return null;
}

function tcpVerdict(
  err: ProbeResult["dns"]["error"],
  dial: string,
  hostPort: string,
  timeoutMs: number,
): NetworkVerdict {
  if (err?.kind === "timeout")
    return timeoutVerdict(`the TCP connection to ${dial}`, timeoutMs, `dial tcp ${dial}: i/o timeout`);
  if (err?.kind === "refused") {
    return {
      runtimeError: `dial tcp ${dial}: connect: connection refused`,
      finding: finding(
        "connection-refused",
        "error",
        `Nothing listens on ${dial} (${hostPort}): connection refused.`,
        {
          evidence: [err.message],
          fix: [
            "Check the registry's port in the image reference and that the registry service is running.",
            ncCommand(dial),
          ],
        },
      ),
    };
  }
  return {
    runtimeError: `dial tcp ${dial}: ${err?.message ?? "connection failed"}`,
    finding: finding(
      "connection-refused",
      "error",
      `The node cannot open a TCP connection to ${dial}: ${err?.message}.`,
      {
        evidence: [`${err?.code}: ${err?.message}`],
        fix: ["Check routing and firewalls between this node and the registry."],
      },
    ),
  };
}

/** `nc -vz HOST PORT`: nc takes the address without IPv6 brackets and the port as its own argument. */
function ncCommand(dial: string): string {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(dial);
  return m ? `nc -vz ${m[1]} ${m[2]}` : `nc -vz ${dial}`;
}

function timeoutVerdict(what: string, timeoutMs: number, runtimeError: string): NetworkVerdict {
  return {
    runtimeError,
    finding: finding("timeout", "error", `No answer within ${timeoutMs} ms during ${what}.`, {
      evidence: [runtimeError],
      fix: [
        "Check firewalls and proxies between this node and the registry (HTTPS_PROXY/NO_PROXY for the runtime).",
        "Retry with a longer --timeout if the registry is merely slow.",
      ],
    }),
  };
}

function plainHttpVerdict(probe: ProbeResult, hostPort: string): NetworkVerdict {
  const http = probe.plainHttp;
  const what = http
    ? `it answered plain HTTP (GET /v2/ → ${http.status}${http.apiVersion ? `, ${http.apiVersion}` : ""})`
    : "it answered in cleartext";
  return {
    runtimeError: "http: server gave HTTP response to HTTPS client",
    finding: finding(
      "plain-http",
      "error",
      `${hostPort} does not speak TLS: ${what}. Runtimes pull over HTTPS by default.`,
      {
        evidence: ["containerd/docker: http: server gave HTTP response to HTTPS client"],
        fix: [
          "Best: enable TLS on the registry (certificate from your private CA) and trust that CA with `regtrust trust`.",
          `Only if plain HTTP is intended: configure ${hostPort} as an HTTP endpoint for each runtime (containerd hosts.toml server = "http://${hostPort}").`,
        ],
      },
    ),
  };
}

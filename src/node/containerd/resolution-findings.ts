import { type Finding, finding } from "../../findings/finding.ts";
import type { HostsResolution } from "./resolve-hosts.ts";

/**
 * Findings for what makes containerd's ConfigureHosts fail (or panic) for a
 * registry, so every pull from it fails. Unreadable or certificate-less CA
 * files are left to the ca-file-* findings, which name the config line.
 */
export function resolutionFindings(r: HostsResolution, registry: string, runtime: string): Finding[] {
  if (r.error === null || /^unable to (read|load) CA cert/.test(r.error)) return [];
  const where = r.hostsToml ?? r.hostDir ?? undefined;
  if (r.panics) {
    return [
      finding(
        "hosts-toml-invalid",
        "error",
        `${r.error}. The pull fails (containerd's CRI service may restart); fix the file.`,
        {
          ...(where ? { file: where } : {}),
          evidence: [r.error],
          fix: [
            `Write each endpoint as a single [host."https://…"] table (not [[host."…"]]) in ${where ?? "hosts.toml"}`,
          ],
        },
      ),
    ];
  }
  const client = /unable to read CERT file|failed to load X509 key pair/.test(r.error);
  return [
    finding(
      client ? "client-cert-unusable" : "config-invalid",
      "error",
      `${runtime} fails every pull from ${registry}: ${r.error}.`,
      {
        ...(where ? { file: where } : {}),
        evidence: [r.error],
        fix: client
          ? [
              `Give each client certificate its matching key: "client = [[\\"cert.pem\\", \\"key.pem\\"]]" in hosts.toml, or <name>.cert with <name>.key beside it; remove the entry if the registry does not ask for one`,
            ]
          : [`Make ${r.hostDir ?? "the host directory"} a directory holding hosts.toml and/or *.crt files`],
      },
    ),
  ];
}

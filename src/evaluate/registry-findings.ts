import { type Finding, finding } from "../findings/finding.ts";
import type { ProbeResult } from "../probe/types.ts";
import type { ContextVerdict } from "./evaluate-context.ts";

/**
 * What the registry API and its token realm say. `/v2/` answers 200 or 401
 * on every registry (OCI distribution-spec "Determining Support"); a token
 * realm on another endpoint is fetched with the registry host's TLS config
 * (containerd hosts.go, containers/image docker_client.go), so its chain
 * must verify against the same pool.
 */
export function registryFindings(probe: ProbeResult, verdicts: ContextVerdict[]): Finding[] {
  const out: Finding[] = [];
  const reg = probe.registry;
  const where = probe.target.registry;
  if (reg && reg.status !== null && reg.status !== 200 && reg.status !== 401) {
    out.push(
      finding(
        "not-a-registry",
        "error",
        `${where} serves HTTPS but GET /v2/ returned ${reg.status}: this is not a registry API endpoint.`,
        {
          evidence: [
            `GET https://${where}/v2/ → ${reg.status}${reg.apiVersion ? ` (${reg.apiVersion})` : ""}`,
          ],
          fix: ["Check the port and any path prefix (a reverse proxy must route /v2/ to the registry)."],
        },
      ),
    );
  } else if (reg && reg.status === null && reg.error) {
    out.push(
      finding("not-a-registry", "warning", `GET /v2/ on ${where} failed: ${reg.error.message}.`, {
        evidence: [`${reg.error.code}: ${reg.error.message}`],
        fix: ["Check the registry service behind the TLS endpoint."],
      }),
    );
  }
  out.push(...realmFindings(probe, verdicts));
  return out;
}

function realmFindings(probe: ProbeResult, verdicts: ContextVerdict[]): Finding[] {
  const realm = probe.realm;
  if (!realm) return [];
  const failure = realm.dns.error ?? realm.tcp?.error ?? realm.tls?.error ?? null;
  if (failure) {
    return [
      finding(
        "auth-realm-unreachable",
        "error",
        `The token service ${realm.url} is unreachable: ${failure.message}. Pulls need a token from it.`,
        {
          evidence: [`${failure.code}: ${failure.message}`],
          fix: [
            "Check DNS and firewalls for the token host, and NO_PROXY/HTTPS_PROXY of the runtime service.",
          ],
        },
      ),
    ];
  }
  const out: Finding[] = [];
  for (const verdict of verdicts) {
    const result = verdict.realmVerify;
    if (!result || result.ok || verdict.context.insecure) continue;
    out.push(
      finding(
        "auth-realm-untrusted",
        "error",
        `The registry sends clients to ${realm.url} for tokens, and that endpoint's certificate does not verify: ${result.error.message}.`,
        {
          contexts: [verdict.context.name],
          evidence: [
            "runtimes fetch tokens with the registry host's TLS settings: its CA file must cover the token host's chain too",
          ],
          fix: [
            `Add the token host's CA to the CA file trusted for ${probe.target.registry} (regtrust trust … --ca bundle.pem).`,
          ],
        },
      ),
    );
  }
  return out;
}

import type { DiagnoseResult } from "../diagnose/result.ts";
import type { Certificate } from "../pki/certificate.ts";

/** What the metrics endpoint shows: the last cycle's results and the CA the agent distributes. */
export interface MetricsState {
  results: ReadonlyMap<string, DiagnoseResult>;
  /** The certificates of the configured CA file (what anchors the registries' chains). */
  ca: readonly Certificate[];
  lastCheck: Date | null;
  cycles: number;
  cycleErrors: number;
  /** The configured interval between checks: alerts judge a stale heartbeat against it. */
  intervalSeconds: number;
  /** The agent gate (`gate` in the config): whether this Node carries the startup taint; null when not gating or unknown. */
  startupTaint?: boolean | null;
}

/** Prometheus text exposition format 0.0.4. */
export function renderMetrics(state: MetricsState, now: Date): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${value}`);
  };
  const per = (f: (r: DiagnoseResult) => number | null) =>
    [...state.results].flatMap(([registry, r]): Array<[Record<string, string>, number]> => {
      const v = f(r);
      return v === null ? [] : [[{ registry }, v]];
    });
  gauge(
    "regtrust_registry_trusted",
    "1 when every runtime on this node verifies the registry's chain",
    per((r) => (r.ok ? 1 : 0)),
  );
  gauge(
    "regtrust_registry_insecure_overrides",
    "runtime contexts that skip TLS verification for the registry",
    per((r) => r.contexts.filter((c) => c.insecure).length),
  );
  gauge(
    "regtrust_server_certificate_expiry_seconds",
    "seconds until the registry's server certificate expires",
    per((r) => secondsUntil(r.presented[0]?.notAfter, now)),
  );
  gauge(
    "regtrust_insecure_override_expiry_timestamp_seconds",
    "when the earliest `regtrust insecure` override for the registry expires (Unix time); in the past = expired but still configured",
    per((r) => earliestInsecureExpiry(r)),
  );
  const caExpiry = state.ca.length === 0 ? null : Math.min(...state.ca.map((c) => c.notAfter.getTime()));
  gauge(
    "regtrust_ca_expiry_seconds",
    "seconds until the earliest certificate of the distributed CA file expires",
    caExpiry === null ? [] : [[{}, Math.round((caExpiry - now.getTime()) / 1000)]],
  );
  gauge(
    "regtrust_last_check_timestamp_seconds",
    "when the last check finished (Unix time)",
    state.lastCheck ? [[{}, Math.round(state.lastCheck.getTime() / 1000)]] : [],
  );
  gauge("regtrust_check_interval_seconds", "the configured interval between checks", [
    [{}, state.intervalSeconds],
  ]);
  gauge(
    "regtrust_startup_taint_present",
    "1 while this Node carries the startup taint the agent gate removes (gate configured and known)",
    state.startupTaint === undefined || state.startupTaint === null ? [] : [[{}, state.startupTaint ? 1 : 0]],
  );
  lines.push(
    "# HELP regtrust_cycles_total checks run since start",
    "# TYPE regtrust_cycles_total counter",
    `regtrust_cycles_total ${state.cycles}`,
  );
  lines.push(
    "# HELP regtrust_cycle_errors_total checks that failed since start",
    "# TYPE regtrust_cycle_errors_total counter",
    `regtrust_cycle_errors_total ${state.cycleErrors}`,
  );
  return `${lines.join("\n")}\n`;
}

function earliestInsecureExpiry(r: DiagnoseResult): number | null {
  const times = r.contexts.flatMap((c) => (c.insecureExpiresAt ? [Date.parse(c.insecureExpiresAt)] : []));
  const valid = times.filter((t) => !Number.isNaN(t));
  return valid.length === 0 ? null : Math.round(Math.min(...valid) / 1000);
}

function secondsUntil(notAfter: string | undefined, now: Date): number | null {
  if (!notAfter) return null;
  return Math.round((Date.parse(notAfter) - now.getTime()) / 1000);
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

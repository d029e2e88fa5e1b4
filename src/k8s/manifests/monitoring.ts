/**
 * `k8s manifests --monitoring`: a PodMonitor that scrapes every agent, a
 * PrometheusRule (prometheus-operator monitoring.coreos.com/v1) built only on
 * the metrics the agent exports (src/agent/metrics.ts), and a Grafana
 * dashboard in a ConfigMap labelled `grafana_dashboard` (the Grafana Helm
 * chart's sidecar default). Each alert has a promtool unit test that fires it
 * and one that does not (test/k8s/monitoring.test.ts).
 */
/** The `job` label the PodMonitor gives the agent's series (RegtrustAgentDown selects on it). */
export const JOB = "regtrust-agent";
const DAY = 86_400;
/** How long a registry may stay untrusted on a node before the alert fires. */
export const NOT_TRUSTED_FOR = "15m";

type Doc = Record<string, unknown>;

interface Alert {
  alert: string;
  expr: string;
  for?: string;
  severity: "warning" | "critical";
  summary: string;
  description: string;
}

export const ALERTS: readonly Alert[] = [
  {
    alert: "RegtrustRegistryNotTrusted",
    expr: "regtrust_registry_trusted == 0",
    for: NOT_TRUSTED_FOR,
    severity: "critical",
    summary: "Node {{ $labels.node }} cannot verify registry {{ $labels.registry }}",
    description:
      "For 15 minutes at least one runtime on node {{ $labels.node }} has not verified the TLS chain of {{ $labels.registry }}: pulls from it fail there. Run `regtrust k8s status` and `kubectl get node {{ $labels.node }} -o jsonpath='{.metadata.annotations.regtrust\\.io/status}'`.",
  },
  {
    alert: "RegtrustCACertificateExpiringSoon",
    expr: `min(regtrust_ca_expiry_seconds) < ${30 * DAY}`,
    for: "1h",
    severity: "warning",
    summary: "The CA regtrust distributes expires within 30 days",
    description:
      "The earliest certificate of the agent's CA file expires in {{ $value | humanizeDuration }}. Add the new CA to the agent's ConfigMap before then.",
  },
  {
    alert: "RegtrustServerCertificateExpiringSoon",
    expr: `min by (registry) (regtrust_server_certificate_expiry_seconds) < ${30 * DAY}`,
    for: "1h",
    severity: "warning",
    summary: "The TLS certificate of {{ $labels.registry }} expires within 30 days",
    description:
      "The server certificate {{ $labels.registry }} presents expires in {{ $value | humanizeDuration }}. Renew it on the registry.",
  },
  {
    alert: "RegtrustInsecureOverrideActive",
    expr: "regtrust_registry_insecure_overrides > 0",
    for: "5m",
    severity: "warning",
    summary: "Node {{ $labels.node }} skips TLS verification for {{ $labels.registry }}",
    description:
      "{{ $value }} runtime(s) on node {{ $labels.node }} pull from {{ $labels.registry }} without verifying its certificate. Trust the CA, then run `regtrust untrust {{ $labels.registry }}` on the node.",
  },
  {
    alert: "RegtrustInsecureOverrideExpired",
    expr: "regtrust_insecure_override_expiry_timestamp_seconds < time()",
    for: "10m",
    severity: "critical",
    summary: "An expired insecure override for {{ $labels.registry }} is still on node {{ $labels.node }}",
    description:
      "The `regtrust insecure` override for {{ $labels.registry }} on node {{ $labels.node }} has expired but is still configured (an enforce-mode agent removes it at its next check). Run `regtrust untrust {{ $labels.registry }}` or `regtrust trust {{ $labels.registry }} --ca FILE` on the node.",
  },
  {
    alert: "RegtrustAgentHeartbeatStale",
    expr: "time() - regtrust_last_check_timestamp_seconds > 3 * regtrust_check_interval_seconds",
    severity: "warning",
    summary: "The regtrust agent on node {{ $labels.node }} has not finished a check for 3 intervals",
    description:
      "The agent on node {{ $labels.node }} last finished a check {{ $value | humanizeDuration }} ago. Look at its log: `kubectl logs -n {{ $labels.namespace }} {{ $labels.pod }}`.",
  },
  {
    alert: "RegtrustAgentDown",
    expr: `up{job="${JOB}"} == 0`,
    for: "10m",
    severity: "warning",
    summary: "The regtrust agent on node {{ $labels.node }} cannot be scraped",
    description:
      "Prometheus has not scraped the agent pod {{ $labels.pod }} on node {{ $labels.node }} for 10 minutes: the node's trust is not being checked.",
  },
  {
    alert: "RegtrustAgentCheckErrors",
    expr: "increase(regtrust_cycle_errors_total[15m]) > 0",
    for: "15m",
    severity: "warning",
    summary: "The regtrust agent on node {{ $labels.node }} keeps failing its own check",
    description:
      "Checks of the agent on node {{ $labels.node }} failed during the last 30 minutes (not a registry finding: the check itself broke). Look at its log: `kubectl logs -n {{ $labels.namespace }} {{ $labels.pod }}`.",
  },
];

export function prometheusRule(name: string, namespace: string, labels: Record<string, string>): Doc {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name, namespace, labels },
    spec: { groups: [{ name: "regtrust", rules: ALERTS.map(ruleOf) }] },
  };
}

function ruleOf(a: Alert): Doc {
  return {
    alert: a.alert,
    expr: a.expr,
    ...(a.for ? { for: a.for } : {}),
    labels: { severity: a.severity },
    annotations: { summary: a.summary, description: a.description },
  };
}

/** Scrapes every agent pod's `metrics` port; `node` is the pod's node and `job` is fixed, so the alerts can name them. */
export function podMonitor(name: string, namespace: string, labels: Record<string, string>): Doc {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      podMetricsEndpoints: [
        {
          port: "metrics",
          interval: "60s",
          relabelings: [
            { action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" },
            { action: "replace", targetLabel: "job", replacement: JOB },
          ],
        },
      ],
    },
  };
}

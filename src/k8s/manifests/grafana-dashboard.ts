/**
 * The Grafana dashboard of `k8s manifests --monitoring`: one JSON model
 * (Grafana dashboard schemaVersion 39) over the agent's metrics
 * (src/agent/metrics.ts), in a ConfigMap labelled `grafana_dashboard: "1"`,
 * the label the Grafana Helm chart's dashboard sidecar loads by default.
 */
type Doc = Record<string, unknown>;

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, resolved by Grafana
const DS = { type: "prometheus", uid: "${datasource}" };

interface Panel {
  title: string;
  type: "stat" | "table" | "timeseries";
  expr: string;
  legend?: string;
  unit?: string;
  description: string;
}

const PANELS: readonly Panel[] = [
  {
    title: "Nodes with an untrusted registry",
    type: "stat",
    expr: "count(count by (node) (regtrust_registry_trusted == 0)) or vector(0)",
    description: "Nodes where at least one runtime does not verify a configured registry.",
  },
  {
    title: "Nodes still carrying the startup taint",
    type: "stat",
    expr: "sum(regtrust_startup_taint_present) or vector(0)",
    description: "readiness.k8s.io/registry-trust taints the agent gate has not removed yet.",
  },
  {
    title: "Insecure overrides",
    type: "stat",
    expr: "sum(regtrust_registry_insecure_overrides) or vector(0)",
    description: "Runtime contexts that skip TLS verification for a registry.",
  },
  {
    title: "CA expires in",
    type: "stat",
    expr: "min(regtrust_ca_expiry_seconds)",
    unit: "s",
    description: "The earliest certificate of the distributed CA file.",
  },
  {
    title: "Untrusted registries by node",
    type: "table",
    expr: "regtrust_registry_trusted == 0",
    description: "One row per node and registry that does not verify.",
  },
  {
    title: "Server certificate expiry by registry",
    type: "timeseries",
    expr: "min by (registry) (regtrust_server_certificate_expiry_seconds)",
    legend: "{{registry}}",
    unit: "s",
    description: "Seconds until each registry's server certificate expires.",
  },
  {
    title: "Seconds since each agent's last check",
    type: "timeseries",
    expr: "time() - regtrust_last_check_timestamp_seconds",
    legend: "{{node}}",
    unit: "s",
    description: "Above three check intervals, RegtrustAgentHeartbeatStale fires.",
  },
  {
    title: "Agent check errors",
    type: "timeseries",
    expr: "sum by (node) (increase(regtrust_cycle_errors_total[15m]))",
    legend: "{{node}}",
    description: "Checks that failed in the agent itself (not registry findings).",
  },
];

export function grafanaDashboard(): Doc {
  return {
    title: "regtrust: registry trust across the fleet",
    uid: "regtrust-fleet",
    schemaVersion: 39,
    editable: true,
    time: { from: "now-24h", to: "now" },
    refresh: "1m",
    tags: ["regtrust"],
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source" }],
    },
    panels: PANELS.map(panelOf),
  };
}

function panelOf(p: Panel, i: number): Doc {
  const stat = p.type === "stat";
  const width = stat ? 6 : 12;
  const perRow = 24 / width;
  const row = stat ? 0 : 1 + Math.floor((i - 4) / 2);
  return {
    id: i + 1,
    title: p.title,
    description: p.description,
    type: p.type,
    datasource: DS,
    gridPos: {
      h: stat ? 4 : 8,
      w: width,
      x: ((stat ? i : i - 4) % perRow) * width,
      y: stat ? 0 : 4 + (row - 1) * 8,
    },
    targets: [
      {
        refId: "A",
        datasource: DS,
        expr: p.expr,
        ...(p.type === "table" ? { format: "table", instant: true } : {}),
        ...(p.legend ? { legendFormat: p.legend } : {}),
      },
    ],
    fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
  };
}

export function grafanaDashboardConfigMap(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): Doc {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { ...labels, grafana_dashboard: "1" } },
    data: { "regtrust-fleet.json": `${JSON.stringify(grafanaDashboard(), null, 2)}\n` },
  };
}

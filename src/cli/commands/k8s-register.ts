import { type Command, Option } from "commander";
import { DEFAULT_TIMEOUT_MS, type SetExit } from "../common-options.ts";
import type { Io } from "../io.ts";

/**
 * Registers the `regtrust k8s …` group (also reached as `kubectl regtrust …`).
 * Each subcommand imports its module, and through it the Kubernetes client,
 * only when it runs, so `--help` and the node commands never load them.
 * Later subcommands (status, manifests, node) slot in as further
 * `register…(k8s, io, setExit)` calls.
 */
export function registerK8sCommands(program: Command, io: Io, setExit: SetExit): void {
  const k8s = program
    .command("k8s")
    .description("cluster: why pods cannot pull, fleet status, agent manifests, run regtrust on a node")
    .enablePositionalOptions();
  registerPulls(k8s, io, setExit);
  registerWhy(k8s, io, setExit);
  registerNode(k8s, io, setExit);
  registerManifests(k8s, io, setExit);
  registerStatus(k8s, io, setExit);
}

function registerStatus(k8s: Command, io: Io, setExit: SetExit): void {
  const command = k8s
    .command("status")
    .description("the DaemonSet agent's RegistryTrustReady verdicts across the fleet, per registry")
    .option("-n, --namespace <ns>", "namespace of the agent pods", "regtrust")
    .option(
      "--stale-after <minutes>",
      "flag nodes whose agent has not re-sent its condition for this long",
      "15",
    )
    .option("--json", "print the result as JSON (schemaVersion 1)");
  addKubeOptions(command).action(async (opts) => {
    const { runK8sStatus } = await import("./k8s-status.ts");
    setExit(await runK8sStatus(opts, io));
  });
}

function registerManifests(k8s: Command, io: Io, setExit: SetExit): void {
  k8s
    .command("manifests")
    .description(
      "print the DaemonSet agent's manifests (namespace, RBAC, admission policy, ConfigMap, DaemonSet) as YAML",
    )
    .requiredOption("--registry <host>", "registry host[:port] to keep trusted (repeatable)", collect, [])
    .requiredOption("--ca <file>", "PEM CA file the nodes must trust (public: stored in a ConfigMap)")
    .option("--mode <mode>", "enforce (apply the trust plan) or report (only report)", "report")
    .option(
      "--image <image>",
      "the regtrust image the agent runs (or REGTRUST_IMAGE; regtrust publishes none: see docs/k8s-node.md)",
    )
    .option("-n, --namespace <ns>", "namespace of the agent", "regtrust")
    .option(
      "--restart",
      "let the agent restart runtimes through the node's systemd (enforce; adds hostPID + nsenter rights)",
    )
    .option(
      "--no-admission-policy",
      "omit the ValidatingAdmissionPolicy that limits the agent to its own Node (clusters older than 1.30)",
    )
    .option(
      "--gate <by>",
      "keep new nodes tainted readiness.k8s.io/registry-trust:NoSchedule until trust verifies: nrc (NodeReadinessRule) or agent (docs/gating.md)",
    )
    .option(
      "--gate-mode <mode>",
      "bootstrap-only (remove the taint once; default) or continuous (re-taint when trust breaks)",
    )
    .option(
      "--monitoring",
      "also emit a PodMonitor, a PrometheusRule with regtrust's alerts and a Grafana dashboard ConfigMap",
    )
    .action(async (opts) => {
      const { runK8sManifests } = await import("./k8s-manifests.ts");
      setExit(runK8sManifests(opts, io));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function registerNode(k8s: Command, io: Io, setExit: SetExit): void {
  const command = k8s
    .command("node")
    .description("run diagnose, trust, untrust or audit on a node through a short-lived pod (no SSH needed)")
    .usage("[options] <node|--all> <diagnose|trust|untrust|audit> [command args…]")
    .argument("<words...>", "the node (or --all), the command, and its arguments")
    .option("--all", "every node, at most --parallel at a time; prints one row per node")
    .option(
      "-n, --namespace <ns>",
      "namespace of the pod (needs pod-security.kubernetes.io/enforce=privileged)",
    )
    .option(
      "--image <image>",
      "the regtrust image the pod runs (or REGTRUST_IMAGE; regtrust publishes none: see docs/k8s-node.md)",
    )
    .option("--parallel <n>", "with --all: pods at a time", "5")
    .option("--wait <seconds>", "how long to wait for the command on each node", "120")
    .option("--deadline <seconds>", "activeDeadlineSeconds of the pod: Kubernetes stops it after this", "300")
    .passThroughOptions();
  addKubeOptions(command).action(async (words: string[], opts) => {
    const { runK8sNode } = await import("./k8s-node.ts");
    setExit(await runK8sNode(words, opts, io));
  });
}

function registerPulls(k8s: Command, io: Io, setExit: SetExit): void {
  const command = k8s
    .command("pulls")
    .description("every container waiting on an image pull, grouped by registry and classified cause")
    .option("-n, --namespace <ns>", "one namespace (default: the context's namespace)")
    .addOption(new Option("-A, --all-namespaces", "every namespace").conflicts("namespace"))
    .option("--json", "print the result as JSON (schemaVersion 1)");
  addKubeOptions(command).action(async (opts) => {
    const { runK8sPulls } = await import("./k8s-pulls.ts");
    setExit(await runK8sPulls(opts, io));
  });
}

function registerWhy(k8s: Command, io: Io, setExit: SetExit): void {
  const command = k8s
    .command("why")
    .description("why a pod cannot pull its image: cause, events, and which nodes run it from cache")
    .argument("<pod>", "pod name (or pod/NAME)")
    .option("-n, --namespace <ns>", "the pod's namespace (default: the context's namespace)")
    .option("--json", "print the result as JSON (schemaVersion 1)");
  addKubeOptions(command).action(async (pod: string, opts) => {
    const { runK8sWhy } = await import("./k8s-why.ts");
    setExit(await runK8sWhy(pod, opts, io));
  });
}

/** Flags every `k8s` subcommand shares: which cluster, and how long one API call may take. */
function addKubeOptions(command: Command): Command {
  return command
    .option("--kubeconfig <file>", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)")
    .option("--context <name>", "kubeconfig context to use (default: current-context)")
    .addOption(
      new Option("--timeout <ms>", "bound for each Kubernetes API call").default(String(DEFAULT_TIMEOUT_MS)),
    )
    .option("--chunk-size <n>", "list page size (the API's limit)", "500");
}

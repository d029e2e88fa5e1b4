/**
 * The `regtrust agent` argv the tests and bench/agent.ts run: a free metrics
 * port (0), and either publishing through a kubeconfig or `--no-publish`.
 */
export function agentArgs(opts: {
  config: string;
  root: string;
  node: string;
  once?: boolean;
  kubeconfig?: string;
}): string[] {
  return [
    "agent",
    "--config",
    opts.config,
    "--root",
    opts.root,
    "--node",
    opts.node,
    ...(opts.once ? ["--once"] : []),
    "--metrics-port",
    "0",
    ...(opts.kubeconfig ? ["--kubeconfig", opts.kubeconfig] : ["--no-publish"]),
  ];
}

import { applyPlan } from "../plan/apply.ts";
import { newPlan, writeOwnedFile } from "../plan/plan.ts";

/** Debian 12, as /etc/os-release says it. */
const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

/** containerd 1.6/1.7 config (version 2) whose CRI plugin reads certs.d, as most clusters set it. */
const CONTAINERD_CONFIG = `version = 2

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
`;

/**
 * Lays out the throwaway node the demo diagnoses. Written through the plan
 * layer like every file regtrust writes, with its own journal directory so
 * the fixture is never mistaken for a change `regtrust trust` made.
 */
export async function writeDemoNode(root: string, opts: { publicRootsPem: string }): Promise<void> {
  const plan = newPlan("demo-node", "trust", {
    changes: [
      writeOwnedFile("/etc/os-release", OS_RELEASE, "demo node: Debian 12"),
      writeOwnedFile(
        "/etc/ssl/certs/ca-certificates.crt",
        opts.publicRootsPem,
        "demo node: public roots only",
      ),
      writeOwnedFile(
        "/etc/containerd/config.toml",
        CONTAINERD_CONFIG,
        "demo node: containerd reading certs.d",
      ),
    ],
  });
  await applyPlan(plan, { root, journalDir: "/var/lib/regtrust-demo-fixture" });
}

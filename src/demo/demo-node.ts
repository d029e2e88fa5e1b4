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
 *
 * The OS store is a whole Debian store, as update-ca-certificates keeps it:
 * the public roots under /usr/share/ca-certificates, selected by
 * /etc/ca-certificates.conf, concatenated in that order into the bundle.
 * With the bundle alone, the refresh would have nothing to rebuild the public
 * roots from, and regtrust refuses it (plan/refresh-preflight.ts).
 */
export async function writeDemoNode(root: string, opts: { publicRoots: readonly string[] }): Promise<void> {
  const pems = opts.publicRoots.map((pem) => (pem.endsWith("\n") ? pem : `${pem}\n`));
  const names = pems.map((_pem, i) => `mozilla/public-root-${String(i + 1).padStart(3, "0")}.crt`);
  const plan = newPlan("demo-node", "trust", {
    changes: [
      writeOwnedFile("/etc/os-release", OS_RELEASE, "demo node: Debian 12"),
      ...pems.map((pem, i) =>
        writeOwnedFile(`/usr/share/ca-certificates/${names[i]}`, pem, "demo node: a public root"),
      ),
      writeOwnedFile(
        "/etc/ca-certificates.conf",
        names.map((n) => `${n}\n`).join(""),
        "demo node: the public roots selected",
      ),
      writeOwnedFile("/etc/ssl/certs/ca-certificates.crt", pems.join(""), "demo node: public roots only"),
      writeOwnedFile(
        "/etc/containerd/config.toml",
        CONTAINERD_CONFIG,
        "demo node: containerd reading certs.d",
      ),
    ],
  });
  await applyPlan(plan, { root, journalDir: "/var/lib/regtrust-demo-fixture" });
}

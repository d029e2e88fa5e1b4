import { toPem } from "../../pki/read-bundle.ts";
import { newPlan, refreshCommand, writeOwnedFile } from "../../plan/plan.ts";
import { type CaBundle, type ContextPlan, registryFileStem, sha256Hex } from "../ca-install.ts";
import type { SystemStore } from "../types.ts";

/**
 * The OS trust store part of `regtrust trust`: one PEM `.crt` per CA
 * certificate in the distro's anchor directory (Debian's tool reads only
 * `*.crt` and recommends one certificate per file), then the distro's
 * refresh command (runtimes.md §5.2). The files carry no header: Debian's
 * tool concatenates them into the bundle as they are; the name says who owns
 * them.
 *
 * No restart is planned. Go daemons (containerd, dockerd, CRI-O) cache the
 * system roots for their lifetime (crypto/x509/root.go sync.Once), but each
 * runtime context gets its own per-registry CA file, which they re-read on
 * every pull; restarting them just for the OS store would be disruption
 * without benefit. The note says so.
 */
/**
 * Said on every OS-store change; the text renderer shows it only with --verbose
 * (issue #17: the same paragraph on every run). --json keeps it in `notes`.
 */
export const GO_DAEMONS_CACHE_ROOTS_NOTE =
  "Running Go daemons (containerd, dockerd, CRI-O) keep the system roots they loaded at start; " +
  "they see the OS store change after their next restart. The per-runtime CA files regtrust writes work without one.";

export function planSystemStoreTrust(
  store: SystemStore,
  registry: string,
  ca: CaBundle,
  replace = false,
): ContextPlan {
  const plan = newPlan(registry, "trust");
  if (store.anchorDir === null || store.refreshCommand === null) {
    return {
      context: "system",
      plan,
      restartUnit: null,
      refusal: {
        reason: `regtrust does not know where this distribution (${store.distro.prettyName ?? store.distro.id}) keeps extra CA certificates`,
        manual: [
          "Install the CA with the distribution's own tool; for the runtimes alone, re-run with --runtime without system",
        ],
      },
    };
  }
  for (const cert of ca.certs) {
    const name = `regtrust-${registryFileStem(registry)}-${sha256Hex(cert.der).slice(0, 12)}.crt`;
    plan.changes.push(
      writeOwnedFile(`${store.anchorDir}/${name}`, toPem([cert]), `${cert.subject}: trusted by the OS store`),
    );
  }
  const argv = store.refreshCommand;
  // Debian's --fresh also drops the /etc/ssl/certs links of removed files, so undo is exact.
  const undoArgv = store.distro.family === "debian" ? [...argv, "--fresh"] : undefined;
  // --replace may delete regtrust's files of retired CAs: rebuild fresh so their links go too.
  plan.commands.push(
    refreshCommand(
      replace && undoArgv ? undoArgv : argv,
      "rebuild the OS CA bundle that Go, curl and OpenSSL read",
      undoArgv,
      store.refreshInputs,
    ),
  );
  plan.notes.push(GO_DAEMONS_CACHE_ROOTS_NOTE);
  return { context: "system", plan, restartUnit: null, refusal: null };
}

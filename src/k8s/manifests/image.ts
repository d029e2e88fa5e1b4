import { UsageError } from "../../core/errors.ts";

/**
 * The container image the DaemonSet agent and the short-lived node pods run.
 * regtrust publishes no image to a public registry, so there is no default
 * to fall back on (issue #17 item 8: the old default named a repository
 * where nothing was published, and every pod went to ErrImagePull). The
 * operator builds it (`npm run image`, docs/k8s-node.md), pushes it to a
 * registry the nodes can pull from, and names it with `--image` or
 * REGTRUST_IMAGE — a cluster that cannot pull from some public registry is
 * exactly the one being diagnosed.
 */
export function resolveImage(flag: string | undefined, env: Record<string, string | undefined>): string {
  const image = flag ?? env.REGTRUST_IMAGE;
  if (image !== undefined && image.trim() !== "") return image.trim();
  throw new UsageError(
    "no image for the pods: regtrust publishes none. Build it (npm run image, see docs/k8s-node.md), push it to a " +
      "registry your nodes can pull from, and pass --image REGISTRY/regtrust:VERSION (or set REGTRUST_IMAGE)",
  );
}

import { VERSION } from "../core/version.ts";

/**
 * The container image the DaemonSet agent and the short-lived node pods run
 * (built from the repository's Dockerfile). Every command that creates pods
 * takes `--image` to override it — a cluster that cannot pull from the
 * default registry is exactly the one being diagnosed.
 */
export const DEFAULT_IMAGE_REPOSITORY = "ghcr.io/regtrust/regtrust";

export function defaultImage(version: string = VERSION): string {
  const tag = version === "0.0.0-dev" ? "latest" : version;
  return `${DEFAULT_IMAGE_REPOSITORY}:${tag}`;
}

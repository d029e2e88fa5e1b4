import { InputError } from "../core/errors.ts";

/** host, host:port or [v6]:port — what becomes a certs.d directory name. */
const REGISTRY = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?$/;

/**
 * Registry names become path components (certs.d/<registry>), so anything
 * that could climb or split a path is refused before it reaches the
 * filesystem (docs/principles.md: registry names are validated before they become paths).
 */
export function assertRegistryName(registry: string): void {
  const host = registry.replace(/:[0-9]{1,5}$/, "");
  if (!REGISTRY.test(registry) || host === "." || host === "..") {
    throw new InputError(`invalid registry name "${registry}": expected host, host:port or [ipv6]:port`);
  }
}

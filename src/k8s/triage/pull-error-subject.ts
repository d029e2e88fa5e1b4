/**
 * Which image and which host a pull error talks about, read from the
 * wrappers the runtimes put around it (runtimes.md §7): kubelet
 * `Failed to pull image "<img>"`, containerd `failed to pull and unpack
 * image "<ref>"` / `failed to resolve reference "<ref>"`, containers/image
 * `docker://<ref>` / `pinging container registry <reg>`, Docker
 * `pull access denied for <repo>` / `manifest for <ref> not found`, CRI-O
 * `image pull failed for <img> because …`; and the host from the request
 * that failed (`Head "https://<host>/v2/…"`, `dial tcp: lookup <host>`).
 */
export interface PullErrorSubject {
  image: string | null;
  host: string | null;
}

const IMAGE_PATTERNS: readonly RegExp[] = [
  /\bimage "([^"\s]+)"/,
  /\breference "([^"\s]+)"/,
  /\bdocker:\/\/([^"\s]+)/,
  /\bimage pull failed for (\S+) because/,
  /\bmanifest for (\S+) not found/,
  /\bpull access denied for ([^,\s]+)/,
];

export function pullErrorSubject(text: string): PullErrorSubject {
  return { image: firstImage(text), host: failingHost(text) };
}

function firstImage(text: string): string | null {
  for (const pattern of IMAGE_PATTERNS) {
    // `initializing source docker://<ref>: …` leaves the colon on the reference.
    const match = pattern.exec(text)?.[1]?.replace(/:$/, "");
    if (match) return match;
  }
  return null;
}

/** The host of the last request URL (the one that failed), else the host being pinged or looked up. */
function failingHost(text: string): string | null {
  const urls = [...text.matchAll(/"https?:\/\/([^/"\s]+)[^"]*"/g)];
  const last = urls.at(-1)?.[1];
  if (last) return last.toLowerCase();
  const ping = /pinging container registry ([^:\s]+(?::\d+)?):/.exec(text)?.[1];
  if (ping) return ping.toLowerCase();
  const lookup = /\blookup (\S+?)(?: on \S+)?: /.exec(text)?.[1];
  return lookup ? lookup.toLowerCase() : null;
}

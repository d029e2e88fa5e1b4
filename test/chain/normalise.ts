/** Makes chain/inspect text output stable for golden files: fingerprints, serials, ports, days left, temp paths. */
export function normalise(text: string, dirs: string[] = []): string {
  let out = text;
  for (const dir of dirs) out = out.replaceAll(dir, "<dir>");
  return out
    .replace(/([0-9A-F]{2}:){31}[0-9A-F]{2}/g, "<sha256>")
    .replace(/(serial {5})[0-9a-f]+/g, "$1<serial>")
    .replace(/\(\d+ days? left\)/g, "(<n> days left)")
    .replace(/(127\.0\.0\.1|repo\.example\.com):\d+/g, "$1:<port>");
}

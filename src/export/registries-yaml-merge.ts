import type { RegistriesYamlMerge } from "./registries-yaml-step.ts";
import { octal } from "./text.ts";

/**
 * The registries.yaml merge as a Python 3 program for cloud-init's runcmd.
 * Python with PyYAML is always there when cloud-init runs: cloud-init itself
 * is written in it and depends on it (Debian's cloud-init package depends on
 * python3-yaml), so the user-data needs no other tool. Same outcome as
 * node/k3s/plan-trust.ts: `configs."<registry>".tls.ca_file` points at
 * regtrust's CA file, every other entry is kept, and the certificates of a
 * ca_file set before are kept in the new CA file. PyYAML does not keep
 * comments, so the file is rewritten only when its data changes; a second
 * run changes nothing. Files are replaced atomically (temporary file +
 * rename), registries.yaml keeps its mode (a new one gets `mode`).
 *
 * argv: registries.yaml, registry, CA file, CA PEM, mode (octal).
 */
const MERGE_PROGRAM = String.raw`
import os, sys, yaml
path, registry, ca_path, ours, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5], 8)

def fail(message):
    sys.stderr.write("regtrust: %s: %s; add configs.%s.tls.ca_file: %s by hand\n" % (path, message, registry, ca_path))
    sys.exit(1)

def write(target, text, file_mode):
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    tmp = target + ".regtrust.tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, file_mode)
    os.replace(tmp, target)

def mapping(parent, key):
    value = parent.get(key)
    if value is None:
        value = parent[key] = {}
    if not isinstance(value, dict):
        fail("%s is not a mapping" % key)
    return value

doc = None
if os.path.exists(path):
    with open(path) as f:
        try:
            doc = yaml.safe_load(f)
        except yaml.YAMLError as error:
            fail("does not parse (%s)" % str(error).splitlines()[0])
before = repr(doc)
doc = {} if doc is None else doc
if not isinstance(doc, dict):
    fail("is not a mapping")
tls = mapping(mapping(mapping(doc, "configs"), registry), "tls")
previous = tls.get("ca_file") or ""
pem = ours
if isinstance(previous, str) and previous and os.path.isfile(previous):
    with open(previous) as f:
        kept = f.read()
    pem = kept if ours.strip() in kept else kept.rstrip("\n") + "\n" + ours
current = open(ca_path).read() if os.path.isfile(ca_path) else None
if current != pem:
    write(ca_path, pem, 0o644)
    print("regtrust: wrote " + ca_path)
tls["ca_file"] = ca_path
if repr(doc) != before:
    keep = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else mode
    write(path, yaml.safe_dump(doc, default_flow_style=False, sort_keys=False), keep)
    print("regtrust: merged configs.%s.tls.ca_file into %s" % (registry, path))
`;

/** The runcmd entry: python3 runs the program with the merge's values as arguments (no shell quoting involved). */
export function registriesYamlMergeCommand(merge: RegistriesYamlMerge): string[] {
  return [
    "python3",
    "-c",
    MERGE_PROGRAM.trimStart(),
    merge.file,
    merge.registry,
    merge.caFile,
    merge.caPem,
    octal(merge.mode),
  ];
}

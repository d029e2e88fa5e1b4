/**
 * Container images named by Kubernetes objects: the pod spec of a Pod, of a
 * workload's pod template (Deployment, DaemonSet, StatefulSet, ReplicaSet,
 * ReplicationController, Job) or of a CronJob's job template, and every item
 * of a `List` (what `kubectl get … -o json|yaml` prints). The three container
 * lists are those of core/v1 PodSpec.
 */

type Obj = Record<string, unknown>;

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;
const TEMPLATE_KINDS = new Set([
  "Deployment",
  "DaemonSet",
  "StatefulSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
]);

/** Images in document order; an object of another kind contributes none. */
export function imagesOf(doc: unknown, seen: Set<unknown> = new Set()): string[] {
  // YAML aliases can make the document cyclic (`- &a [*a]`): visit each node once.
  if (seen.has(doc)) return [];
  if (typeof doc === "object" && doc !== null) seen.add(doc);
  // A bare array of objects (`[{kind: Pod…}, …]`) is read like a List.
  if (Array.isArray(doc)) return doc.flatMap((d) => imagesOf(d, seen));
  if (!isObj(doc)) return [];
  const kind = doc.kind;
  if (typeof kind === "string" && kind.endsWith("List") && Array.isArray(doc.items)) {
    return doc.items.flatMap((d) => imagesOf(d, seen));
  }
  const podSpec = podSpecOf(doc);
  return podSpec ? imagesOfPodSpec(podSpec) : [];
}

function podSpecOf(doc: Obj): Obj | null {
  const spec = field(doc, "spec");
  if (doc.kind === "Pod") return spec;
  if (typeof doc.kind === "string" && TEMPLATE_KINDS.has(doc.kind))
    return field(field(spec, "template"), "spec");
  if (doc.kind === "CronJob") {
    const jobSpec = field(field(spec, "jobTemplate"), "spec");
    return field(field(jobSpec, "template"), "spec");
  }
  return null;
}

function imagesOfPodSpec(spec: Obj): string[] {
  const images: string[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      if (isObj(c) && typeof c.image === "string" && c.image.trim() !== "") images.push(c.image.trim());
    }
  }
  return images;
}

function field(o: Obj | null, name: string): Obj | null {
  const v = o?.[name];
  return isObj(v) ? v : null;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

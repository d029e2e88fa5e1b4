/**
 * Pod write routes for the fake API server (fake-apiserver.ts extraRoutes),
 * with a stand-in kubelet: no kubelet runs here, so the server moves the
 * pods it was given through their phases itself. A node whose behaviour is
 * "run" really runs the pod's regtrust command in-process against that
 * node's test root (the `--root /host` argument mapped onto it), so the log
 * and exit code the client reads back are genuine. Other behaviours inject
 * the failures a real cluster produces: image pull errors, a pod that never
 * starts, the activeDeadlineSeconds kill.
 */
import type { ServerResponse } from "node:http";
import type { V1ContainerState, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { CA_ENV } from "../../src/k8s/node-run/pod-spec.ts";
import { type CliRun, runCli } from "../integration/cli.ts";
import { type ExtraRoute, status } from "./fake-apiserver.ts";

export type KubeletBehaviour = "run" | "image-pull" | "pending" | "deadline";

export interface FakePods {
  route: ExtraRoute;
  /** Every pod created, as the client sent it. */
  created: V1Pod[];
  /** Names of the pods deleted. */
  deleted: string[];
  /** Pods that exist now. */
  live(): string[];
  behaviour: Map<string, KubeletBehaviour>;
  /** Node name → its filesystem root in the test. */
  roots: Map<string, string>;
  /** Answer pod creation with 403: an RBAC refusal or a Pod Security one. */
  refuseCreate: "rbac" | "pod-security" | null;
}

/**
 * Runs the pod's regtrust command (argv with --root mapped onto the node's
 * test root, and the container's env). Default: main() in-process; the
 * artifact tier spawns the built artifact instead.
 */
export type PodCommandRunner = (argv: string[], env: Record<string, string>) => Promise<CliRun>;

async function inProcess(argv: string[], env: Record<string, string>): Promise<CliRun> {
  for (const [name, value] of Object.entries(env)) process.env[name] = value;
  return runCli(argv);
}

interface Live {
  pod: V1Pod;
  log: string;
  running: Promise<void> | null;
}

const POD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?(\/log)?$/;

export function fakePods(runCommandWith: PodCommandRunner = inProcess): FakePods {
  const pods = new Map<string, Live>();
  const state: FakePods = {
    created: [],
    deleted: [],
    live: () => [...pods.keys()],
    behaviour: new Map(),
    roots: new Map(),
    refuseCreate: null,
    route: (req, res, url, body) => {
      const m = POD_PATH.exec(url.pathname);
      if (!m) return false;
      const [, namespace = "", name, log] = m;
      if (req.method === "POST" && !name) return create(state, pods, namespace, body, res);
      if (!name || !pods.has(name)) return false;
      const live = pods.get(name) as Live;
      if (req.method === "DELETE") {
        pods.delete(name);
        state.deleted.push(name);
        return send(res, 200, live.pod);
      }
      if (req.method === "GET" && log) return sendText(res, live.log);
      if (req.method === "GET") {
        advance(state, live, runCommandWith);
        return send(res, 200, live.pod);
      }
      return false;
    },
  };
  return state;
}

function create(
  state: FakePods,
  pods: Map<string, Live>,
  namespace: string,
  body: string,
  res: ServerResponse,
): boolean {
  const pod = JSON.parse(body) as V1Pod;
  const name = pod.metadata?.name ?? "";
  if (state.refuseCreate === "rbac") {
    const message = `pods is forbidden: User "system:serviceaccount:default:triage" cannot create resource "pods" in API group "" in the namespace "${namespace}"`;
    return answer(res, status(403, "Forbidden", message));
  }
  if (state.refuseCreate === "pod-security") {
    const message = `pods "${name}" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), hostPath volumes (volume "host")`;
    return answer(res, status(403, "Forbidden", message));
  }
  state.created.push(pod);
  const stored: V1Pod = {
    ...pod,
    metadata: { ...pod.metadata, namespace, uid: `uid-${name}` },
    status: { phase: "Pending" },
  };
  pods.set(name, { pod: stored, log: "", running: null });
  return send(res, 201, stored);
}

/** One step of the stand-in kubelet, taken on each status read. */
function advance(state: FakePods, live: Live, runner: PodCommandRunner): void {
  const node = live.pod.spec?.nodeName ?? "";
  const behaviour = state.behaviour.get(node) ?? "pending";
  if (behaviour === "image-pull") {
    live.pod.status = containerWaiting(
      "ErrImagePull",
      `failed to pull and unpack image "${live.pod.spec?.containers[0]?.image}": failed to resolve reference: x509: certificate signed by unknown authority`,
    );
  } else if (behaviour === "deadline") {
    live.pod.status = {
      phase: "Failed",
      reason: "DeadlineExceeded",
      message: "Pod was active on the node longer than the specified deadline",
    };
  } else if (behaviour === "run" && live.running === null) {
    live.pod.status = {
      phase: "Running",
      containerStatuses: [containerStatus({ running: {} })],
    };
    live.running = runCommand(state, live, runner);
  }
}

async function runCommand(state: FakePods, live: Live, runner: PodCommandRunner): Promise<void> {
  const container = live.pod.spec?.containers[0];
  const root = state.roots.get(live.pod.spec?.nodeName ?? "") ?? "/nonexistent";
  const argv = (container?.args ?? []).map((a, i, all) => (all[i - 1] === "--root" ? root : a));
  const ca = container?.env?.find((e) => e.name === CA_ENV)?.value;
  const run = await runner(argv, ca !== undefined ? { [CA_ENV]: ca } : {}).catch(
    (error: unknown): CliRun => ({ code: 3, stdout: "", stderr: `stand-in kubelet: ${String(error)}\n` }),
  );
  live.log = run.stdout + run.stderr;
  live.pod.status = {
    phase: run.code === 0 ? "Succeeded" : "Failed",
    containerStatuses: [
      containerStatus({ terminated: { exitCode: run.code, reason: run.code === 0 ? "Completed" : "Error" } }),
    ],
  };
}

/** kubelet's status of the pod's one container, in the given state. */
function containerStatus(state: V1ContainerState): V1ContainerStatus {
  return {
    name: "regtrust",
    image: "",
    imageID: "",
    ready: state.running !== undefined,
    restartCount: 0,
    state,
  };
}

function containerWaiting(reason: string, message: string): V1Pod["status"] {
  return {
    phase: "Pending",
    containerStatuses: [containerStatus({ waiting: { reason, message } })],
  };
}

function send(res: ServerResponse, code: number, object: unknown): boolean {
  return answer(res, { code, body: JSON.stringify(object) });
}

function answer(res: ServerResponse, a: { code: number; body: string }): boolean {
  res.writeHead(a.code, { "content-type": "application/json", "content-length": Buffer.byteLength(a.body) });
  res.end(a.body);
  return true;
}

function sendText(res: ServerResponse, text: string): boolean {
  res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
  res.end(text);
  return true;
}

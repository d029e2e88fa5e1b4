/**
 * A CRI ImageService client that talks to containerd's CRI plugin exactly as
 * kubelet does: gRPC over the runtime's unix socket, `runtime.v1.ImageService`
 * (PullImage / ImageStatus / RemoveImage / ListImages). Pull failures come back
 * as data carrying containerd's own error text, which is what kubelet puts in
 * the pod event after `rpc error: code = … desc = `.
 */
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

const PROTO_FILE = fileURLToPath(new URL("./cri-image.proto", import.meta.url));

export interface CriImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: number;
}

export type PullResult = { ok: true; imageRef: string } | { ok: false; code: number; message: string };

export interface CallOptions {
  timeoutMs?: number;
}

export interface PullOptions extends CallOptions {
  /** Registry credentials, as kubelet passes them from an imagePullSecret. */
  auth?: { username: string; password: string };
}

type UnaryMethod = (
  request: object,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response: unknown) => void,
) => void;

let imageServiceCtor: grpc.ServiceClientConstructor | undefined;

function imageServiceConstructor(): grpc.ServiceClientConstructor {
  if (imageServiceCtor) return imageServiceCtor;
  // keepCase: field names stay snake_case as in api.proto; longs as numbers (image sizes fit).
  const definition = loadSync(PROTO_FILE, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    runtime: { v1: { ImageService: grpc.ServiceClientConstructor } };
  };
  imageServiceCtor = root.runtime.v1.ImageService;
  return imageServiceCtor;
}

/** Accepts a socket path or a `unix://` URL (kubelet's --container-runtime-endpoint form). */
export function criTarget(address: string): string {
  return address.startsWith("unix:") ? address : `unix://${address}`;
}

/** Opens a client, makes one unary call with a deadline, closes the client. */
async function unaryCall<Res>(
  address: string,
  method: string,
  request: object,
  timeoutMs: number,
): Promise<Res> {
  const Ctor = imageServiceConstructor();
  const client = new Ctor(criTarget(address), grpc.credentials.createInsecure());
  try {
    const call = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
    if (!call) throw new Error(`cri-image.proto declares no ImageService/${method}`);
    return await new Promise<Res>((resolve, reject) => {
      const deadline = new Date(Date.now() + timeoutMs);
      call.call(client, request, { deadline }, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
  } finally {
    client.close();
  }
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as grpc.ServiceError).code === "number" && "details" in err;
}

/** PullImage; a gRPC failure is returned, not thrown, with containerd's message (`details`). */
export async function pullImage(address: string, image: string, opts: PullOptions = {}): Promise<PullResult> {
  const request = { image: { image }, auth: opts.auth ?? null, sandbox_config: null };
  try {
    const res = await unaryCall<{ image_ref: string }>(
      address,
      "PullImage",
      request,
      opts.timeoutMs ?? 60_000,
    );
    return { ok: true, imageRef: res.image_ref };
  } catch (err) {
    if (isServiceError(err)) return { ok: false, code: err.code, message: err.details };
    throw err;
  }
}

interface WireImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: number;
}

function toCriImage(image: WireImage): CriImage {
  return { id: image.id, repoTags: image.repo_tags, repoDigests: image.repo_digests, size: image.size };
}

/** ImageStatus; `null` when the runtime does not have the image (the CRI contract: `image` unset). */
export async function imageStatus(
  address: string,
  image: string,
  opts: CallOptions = {},
): Promise<CriImage | null> {
  const res = await unaryCall<{ image: WireImage | null }>(
    address,
    "ImageStatus",
    { image: { image }, verbose: false },
    opts.timeoutMs ?? 10_000,
  );
  return res.image ? toCriImage(res.image) : null;
}

/**
 * ImageStatus with `verbose: true`: containerd's CRI adds `info["info"]`, JSON
 * whose `imageSpec` is the image config it stored for the pulled platform
 * (containerd 1.6 pkg/cri/server/image_status.go verboseImageInfo).
 */
export async function imageStatusVerbose(
  address: string,
  image: string,
  opts: CallOptions = {},
): Promise<{ image: CriImage | null; info: Record<string, string> }> {
  const res = await unaryCall<{ image: WireImage | null; info: Record<string, string> }>(
    address,
    "ImageStatus",
    { image: { image }, verbose: true },
    opts.timeoutMs ?? 10_000,
  );
  return { image: res.image ? toCriImage(res.image) : null, info: res.info ?? {} };
}

/** RemoveImage; idempotent per the CRI contract. */
export async function removeImage(address: string, image: string, opts: CallOptions = {}): Promise<void> {
  await unaryCall(address, "RemoveImage", { image: { image } }, opts.timeoutMs ?? 10_000);
}

export async function listImages(address: string, opts: CallOptions = {}): Promise<CriImage[]> {
  const res = await unaryCall<{ images: WireImage[] }>(address, "ListImages", {}, opts.timeoutMs ?? 10_000);
  return res.images.map(toCriImage);
}

import type { EmitterOptionSpec } from '../../emit/emitter.js';
import type { Diagnostic } from '../../model/diagnostic.js';

/**
 * Bytes of JSON above which client-side `kubectl apply` fails: it keeps the object's JSON in the annotation
 * kubectl.kubernetes.io/last-applied-configuration (adding `"annotations":{}` and a newline), and all annotations of an
 * object, keys included, may hold 256 KiB (TotalAnnotationSizeLimitB; see the targets' READMEs).
 */
export const APPLY_ANNOTATION_LIMIT = 262144 - 'kubectl.kubernetes.io/last-applied-configuration'.length - ',"annotations":{}'.length - 1;
/**
 * The largest max-object-bytes: 1 MiB, below etcd's default 1.5 MiB request limit (--max-request-bytes) with room for
 * what the API server stores besides the object (managedFields, and with client-side apply the annotation's copy).
 */
export const MAX_OBJECT_BYTES = 1048576;
/** Default: 200,000 bytes, 62 KiB below the annotation limit, for other annotations and re-encoding by kubectl. */
export const DEFAULT_OBJECT_BYTES = 200000;

/** The `max-object-bytes` option of the NetworkPolicy and Cilium targets. */
export const maxObjectBytesOption: EmitterOptionSpec = {
  type: 'integer',
  default: DEFAULT_OBJECT_BYTES,
  min: 1024,
  max: MAX_OBJECT_BYTES,
  describe: `largest policy object, in bytes of JSON; a larger policy is split into several (NAME, NAME-2, ...) that together allow the same. Above ${APPLY_ANNOTATION_LIMIT} client-side kubectl apply fails (its annotation copy passes 256 KiB)`,
};

/** A policy within max-object-bytes but past what client-side `kubectl apply` can store. */
export function beyondApply(target: string, name: string, bytes: number, budget: number): Diagnostic {
  return {
    code: 'EMIT_LIMIT',
    severity: 'warning',
    message: `policy ${name} is ${bytes} bytes as JSON (max-object-bytes is ${budget}): client-side kubectl apply keeps a copy in an annotation limited to 262144 bytes and will fail`,
    hint: `apply it with kubectl apply --server-side or kubectl create, or keep --set max-object-bytes at most ${APPLY_ANNOTATION_LIMIT}`,
    target,
    params: { policy: name, bytes, limit: APPLY_ANNOTATION_LIMIT, option: 'max-object-bytes' },
  };
}

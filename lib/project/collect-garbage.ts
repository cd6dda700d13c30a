import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null | undefined;

/** Heap in use above which a render's garbage is collected before the next output starts. */
const COLLECT_ABOVE_BYTES = 96 * 1024 * 1024;

/**
 * Collects the garbage of the outputs rendered so far when the heap holds much, so that a fwgen.yaml of several big
 * outputs peaks at about the biggest one, not at what V8 lets pile up over all of them (100,000 prefixes to four
 * targets: 250 MiB rather than 290 to 310, varying with when V8 chose to collect). `gc` is V8's own, reached through a
 * flag set at run time and a new context, which is where V8 installs it; without it nothing is collected early.
 */
export function collectGarbageBetweenOutputs(): void {
  if (getHeapStatistics().used_heap_size >= COLLECT_ABOVE_BYTES) collectGarbage();
}

/** A full collection now; false when V8's `gc` could not be had. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('typeof gc === "function" ? gc : null') as (() => void) | null;
    } catch {
      gc = null;
    }
  }
  gc?.();
  return gc !== null;
}

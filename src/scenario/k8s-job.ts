// A Kubernetes Indexed Job that runs one scenario as N perfgate processes (pure): pod i runs execution segment i of
// the equal sequence 0,1/N,...,1, all on one interval grid from --start-at, and writes its run directory to a shared
// volume, so `perfgate merge` can join them into one run.

import { k8sName } from './k6-operator.ts';

/** What the Job needs: the scenario, its size, the pods, the image that has perfgate, the target and the volume. */
export interface IndexedJobOptions {
  scenario: string;
  profile: string;
  parallelism: number;
  image: string;
  targetUrl: string;
  /** RFC 3339: the moment every pod starts its share (omitted: each pod starts when it is ready). */
  startAt?: string;
  /** The PersistentVolumeClaim the pods write their run directories to (default `perfgate-results`). */
  resultsClaim?: string;
}

/** The equal execution-segment sequence of n processes: `0,1/3,2/3,1`. */
export function equalSegmentSequence(n: number): string[] {
  return Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`));
}

/** A YAML double-quoted scalar. */
const q = (s: string): string => JSON.stringify(s);

/** The Indexed Job manifest, as YAML. */
export function indexedJobManifest(opts: IndexedJobOptions): string {
  const name = k8sName(opts.scenario);
  const seq = equalSegmentSequence(opts.parallelism);
  const segments = seq.slice(0, -1).map((from, i) => `${from}:${seq[i + 1]}`);
  const host = new URL(opts.targetUrl).hostname.replace(/^\[|\]$/g, '');
  const claim = opts.resultsClaim ?? 'perfgate-results';
  const run = [
    `set -- ${segments.join(' ')}; shift "$JOB_COMPLETION_INDEX";`,
    `exec npx perfgate run ${opts.scenario} --profile ${opts.profile} --target "$TARGET" --allow-host ${host}`,
    `--execution-segment "$1" --execution-segment-sequence ${seq.join(',')}`,
    '${START_AT:+--start-at "$START_AT"} --out "/results/part-$JOB_COMPLETION_INDEX" --no-report',
  ].join(' ');
  return `# An Indexed Job running the perfgate scenario "${opts.scenario}" (${opts.profile}) as ${opts.parallelism} processes, written by
# perfgate export k8s. Pod i runs segment i of ${seq.join(',')}${opts.startAt ? `, all starting at ${opts.startAt}` : ' (set START_AT to an RFC 3339 time a little ahead, or the pods start unsynchronised)'}.
# When it has completed: perfgate merge <results volume>/part-* --out DIR, then perfgate check DIR and perfgate report DIR.
apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  completionMode: Indexed
  completions: ${opts.parallelism}
  parallelism: ${opts.parallelism}
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: perfgate
          image: ${q(opts.image)}
          env:
            - name: TARGET
              value: ${q(opts.targetUrl)}
            - name: START_AT
              value: ${q(opts.startAt ?? '')}
          command: ["sh", "-c"]
          args:
            - ${q(run)}
          volumeMounts:
            - name: results
              mountPath: /results
      volumes:
        - name: results
          persistentVolumeClaim:
            claimName: ${claim}
`;
}

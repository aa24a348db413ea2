// The k6-operator's manifests for an exported script (pure): the ConfigMap that holds it and a TestRun of N runner
// pods (the operator gives each pod its execution segment). Each runner writes k6's JSON output to its own file on a
// shared volume, `/results/<pod name>.json.gz`, so `perfgate import k6 /results/*.json.gz` can collect them all.

/** A Kubernetes name from a scenario name: lowercase letters, digits and dashes, at most 50 characters. */
export function k8sName(name: string): string {
  return `perfgate-${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'test'}`;
}

/** Options of the manifests: the runner count and the claim of the shared results volume. */
export interface OperatorOptions {
  parallelism: number;
  /** The PersistentVolumeClaim the runners write their results to (default `perfgate-results`). */
  resultsClaim?: string;
  /** The feeder files the script opens: they must be beside it, which a ConfigMap of one script cannot hold. */
  dataFiles?: string[];
}

/** The ConfigMap and the TestRun, as one YAML stream. */
export function k6OperatorManifests(scenario: string, script: string, opts: OperatorOptions): string {
  const name = k8sName(scenario);
  const claim = opts.resultsClaim ?? 'perfgate-results';
  const body = script.replace(/\n$/, '').split('\n').map((l) => (l === '' ? '' : `    ${l}`)).join('\n');
  const files = opts.dataFiles?.length
    ? `# The script opens ${opts.dataFiles.join(', ')}: serve it with script.volumeClaim (the script and those files on one\n# volume) instead of this ConfigMap, or the runners fail to start.\n`
    : '';
  return `# k6-operator manifests for the perfgate scenario "${scenario}", written by perfgate export k6 --operator.
# kubectl apply -f this file; when the TestRun is finished: perfgate import k6 <results volume>/*.json.gz --scenario ${scenario}
${files}apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  test.js: |
${body}
---
apiVersion: k6.io/v1alpha1
kind: TestRun
metadata:
  name: ${name}
spec:
  parallelism: ${opts.parallelism}
  script:
    configMap:
      name: ${name}
      file: test.js
  runner:
    env:
      - name: POD_NAME
        valueFrom:
          fieldRef:
            fieldPath: metadata.name
      - name: K6_OUT
        value: json=/results/$(POD_NAME).json.gz
    volumes:
      - name: results
        persistentVolumeClaim:
          claimName: ${claim}
    volumeMounts:
      - name: results
        mountPath: /results
`;
}

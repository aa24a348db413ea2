// Metric keys as thresholds, alert rules and summary.json write them: `metric` or `metric{tag:value,...}`.
// The syntax only (which metrics and tags exist is the catalogue's and the grammar's business). Pure.

const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a threshold key into metric and tags; problems are messages, the metric may still be unknown. */
export function parseKey(key: string): { metric: string; tags: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const tags: Record<string, string> = {};
  const open = key.indexOf('{');
  const close = key.indexOf('}');
  const opens = key.split('{').length - 1;
  const closes = key.split('}').length - 1;
  if (opens !== closes || opens > 1 || close < open || (open !== -1 && !key.trimEnd().endsWith('}'))) {
    const metric = (open === -1 ? key.replace(/}.*$/, '') : key.slice(0, open)).trim();
    return { metric, tags, problems: [opens === closes && opens <= 1 ? 'text after the closing brace in key' : 'unbalanced braces in key'] };
  }
  const metric = (open === -1 ? key : key.slice(0, open)).trim();
  if (!metric) problems.push('missing metric name in key');
  else if (!METRIC_NAME.test(metric)) problems.push(`bad metric name "${metric}" (letters, digits and _ only)`);
  if (open !== -1) {
    const body = key.slice(open + 1, key.lastIndexOf('}'));
    if (!body.trim()) problems.push('empty tag filter {} in key');
    else {
      for (const part of body.split(',')) {
        const colon = part.indexOf(':');
        const name = colon === -1 ? part.trim() : part.slice(0, colon).trim();
        const value = colon === -1 ? '' : part.slice(colon + 1).trim();
        if (colon === -1 || !name || !value) problems.push(`tag filter "${part.trim()}" must be name:value`);
        else if (Object.hasOwn(tags, name)) problems.push(`tag "${name}" is given twice`);
        else tags[name] = value;
      }
    }
  }
  return { metric, tags, problems };
}

// Renders a Vega-Lite spec to a static SVG string: compile with vega-lite, run vega's headless View (no canvas,
// no network: the loader refuses every URL, specs carry their data inline).

import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

const offlineLoader = vega.loader();
offlineLoader.load = async (uri: string) => {
  throw new Error(`report charts never load external data (${uri.slice(0, 80)})`);
};

/** Compiles a Vega-Lite spec to a Vega spec. */
export function toVega(spec: TopLevelSpec): vega.Spec {
  return compile(spec).spec;
}

/** Renders a Vega-Lite spec to SVG markup (a standalone <svg> element). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(toVega(spec)), { renderer: 'none', loader: offlineLoader, logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

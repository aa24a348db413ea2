// The report page's stylesheet: a system font stack, a calm palette, tables that read, and print rules.

/** The inline stylesheet of report.html and index.html (its sha256 goes into the CSP). */
export const REPORT_CSS = `
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--soft:#f6f8fa;--pass:#1a7f37;--pass-bg:#dafbe1;--fail:#cf222e;--fail-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;--neutral-bg:#eaeef2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:980px;margin:0 auto;padding:24px 24px 48px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:20px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted)}
.banner{border-radius:10px;padding:18px 20px;margin:8px 0 4px;border:1px solid var(--line);background:var(--soft)}
.banner .status{display:inline-block;font-weight:700;letter-spacing:.06em;font-size:20px;padding:2px 12px;border-radius:6px;margin-right:12px;color:#fff;background:#57606a}
.banner.pass{background:var(--pass-bg);border-color:#aceebb}.banner.pass .status{background:var(--pass)}
.banner.fail,.banner.aborted{background:var(--fail-bg);border-color:#ffcecb}.banner.fail .status,.banner.aborted .status{background:var(--fail)}
.banner.invalid,.banner.interrupted{background:var(--warn-bg);border-color:#f5e0a0}.banner.invalid .status,.banner.interrupted .status{background:var(--warn)}
.banner .sentence{font-size:15px;margin-top:10px}
.meta-line{font-size:12px;color:var(--muted);margin-top:6px}
ul.causes{margin:8px 0;padding-left:20px}
ul.causes li.breach{color:#a40e26;font-weight:600}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.code,.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.mark{font-weight:700;white-space:nowrap}
.mark.pass{color:var(--pass)}.mark.fail{color:var(--fail)}.mark.none{color:var(--muted)}
tr.fail td{background:#fff5f5}
figure{margin:14px 0 22px;padding:0;break-inside:avoid;page-break-inside:avoid}
figure svg{max-width:100%;height:auto;display:block}
figcaption{font-weight:600;margin-bottom:4px}
figcaption.chart-caption{font-weight:400;font-size:13px;color:var(--muted);margin:2px 0 0}
.note{color:var(--muted);font-style:italic;border-left:3px solid var(--line);padding:4px 10px;margin:6px 0 14px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;word-break:break-all}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:#57606a}
.badge.few{background:var(--warn);margin-left:4px}
.badge.pass{background:var(--pass)}.badge.fail,.badge.aborted{background:var(--fail)}.badge.invalid,.badge.interrupted{background:var(--warn)}
footer{margin-top:40px;font-size:12px;color:var(--muted)}
a{color:#0969da}
@media print{body{font-size:11px}main{max-width:none;padding:0}h2{break-after:avoid}.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}tr,figure{break-inside:avoid}a{color:inherit;text-decoration:none}}
`;

/** The HTML report's style sheet, inlined into the page (no external resource). */
export const CSS = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--soft:#f6f8fa;--accent:#0969da;--ok:#1a7f37;--bad:#cf222e}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{max-width:1040px;margin:0 auto;padding:36px 28px 80px}
header{border-bottom:1px solid var(--line);padding-bottom:16px}
.kicker{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{font-size:30px;line-height:1.2;margin:4px 0 14px}
h2{font-size:21px;margin:52px 0 6px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:28px 0 8px}
.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0 0 14px}
.facts div{display:flex;flex-direction:column}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:0;font-variant-numeric:tabular-nums}
nav{display:flex;flex-wrap:wrap;gap:6px 18px;font-size:14px}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.lead{color:var(--muted);margin:4px 0 14px;max-width:80ch}
.note,.ops{color:var(--muted);font-size:14px;margin:4px 0 10px}
.muted{color:var(--muted)}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);border:1px solid #e5e9ee;border-radius:4px;padding:0 4px}
figure.chart{margin:8px 0 18px;overflow-x:auto}
figure.chart figure{margin:0}
figure.chart svg{max-width:100%;height:auto}
figure.chart [class$="-swatches-wrap"]{font-size:13px;margin-bottom:6px}
figure.chart svg[class$="-ramp"]{font-size:11px;margin-bottom:8px}
.scroll{overflow-x:auto;margin:6px 0 14px}
table{border-collapse:collapse;font-size:13.5px;font-variant-numeric:tabular-nums}
th,td{padding:5px 12px 5px 0;text-align:left;vertical-align:top;border-bottom:1px solid #eaeef2}
thead th{font-size:12px;font-weight:600;color:var(--muted);border-bottom:1px solid var(--line);white-space:nowrap}
th.n,td.n{text-align:right;white-space:nowrap;padding-left:12px}
td.c{text-align:center}
.ci{display:block;color:var(--muted);font-size:11.5px;line-height:1.3}
tr.group th{padding-top:16px;font-size:13px;color:var(--fg);border-bottom:1px solid var(--line)}
table.comparisons strong{color:var(--fg)}
table.kv th{width:11em;color:var(--muted);font-weight:500}
.ok{color:var(--ok);font-weight:700}.bad{color:var(--bad);font-weight:700}
details{margin:6px 0}
summary{cursor:pointer;padding:4px 0}
summary:hover{color:var(--accent)}
details.task{border:1px solid var(--line);border-radius:6px;padding:4px 12px;margin:6px 0}
details.task[open]{padding-bottom:10px}
details.task table{width:100%}
.badge{display:inline-block;font-size:11.5px;padding:0 7px;border-radius:10px;background:#ddf4ff;color:#0a3069;vertical-align:1px}
tr.has-tx td{border-bottom:none}
tr.tx-row>td{padding-top:0}
ol.tx{list-style:none;margin:6px 0 8px;padding:0;border:1px solid var(--line);border-radius:6px;overflow:hidden;font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ol.tx li{display:grid;grid-template-columns:6.5em 1fr;border-top:1px solid #eef1f4}
ol.tx li:first-child{border-top:none}
ol.tx .kind{padding:4px 8px;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.04em;border-right:3px solid transparent}
ol.tx .text{padding:4px 10px;white-space:pre-wrap;overflow-wrap:anywhere}
ol.tx li.phase{display:block;background:var(--soft);color:var(--muted);font:600 11px/1.8 system-ui,sans-serif;text-transform:uppercase;letter-spacing:.05em;padding:2px 10px}
.k-user .kind{border-color:#8c959f}.k-user .text{font-family:system-ui,sans-serif;font-size:13.5px}
.k-assistant .kind{border-color:#8250df}.k-assistant .text{font-family:system-ui,sans-serif;font-size:13.5px;background:#fbf8ff}
.k-call .kind{border-color:#0969da}.k-call .text{color:#0a3069}
.k-result .kind{border-color:#1a7f37}.k-result .text{color:#24292f;background:#f6fbf7}
.k-error .kind{border-color:#cf222e}.k-error .text{color:#a40e26;background:#fff5f5}
.k-check .kind{border-color:#9a6700}.k-check .text{background:#fff8e5}
#failures .fx{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:14px 0 8px;font-size:13.5px}
#failures .fx[hidden]{display:none}
#failures select,#failures input,#failures button{font:inherit;font-size:13.5px;padding:3px 6px;border:1px solid var(--line);border-radius:6px;background:#fff;color:var(--fg)}
#failures input{min-width:16em;flex:1}
#failures button{cursor:pointer;margin:8px 0}
details.fx-item{margin:0;border-bottom:1px solid #eaeef2}
details.fx-item>summary{display:grid;grid-template-columns:1em minmax(9em,1.6fr) 1fr 1fr .8fr .9fr 1.1fr 1fr;gap:0 10px;font-size:13.5px;padding:4px 0;list-style:none}
details.fx-item>summary::-webkit-details-marker{display:none}
details.fx-item>summary::before{content:"▸";color:var(--muted)}
details.fx-item[open]>summary::before{content:"▾"}
details.fx-item>summary>span{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bad-kind{color:var(--bad)}
.fx-tx{padding:0 0 8px 1.6em}
@media (max-width:900px){details.fx-item>summary{grid-template-columns:1em 1fr 1fr 1fr}details.fx-item>summary::before{grid-row:span 3}}
#headline h2{margin-top:24px}
#headline .lead{margin-bottom:6px}
table.headline{font-size:14px}
table.headline th[scope=row]{white-space:nowrap;padding:4px 24px 4px 0;font-weight:600;vertical-align:middle}
table.headline td{padding:4px 0 4px 32px;white-space:nowrap}
table.headline .big{display:block;font-size:19px;font-weight:650;line-height:1.25}
table.headline .where{font-size:13.5px;font-weight:500;color:var(--muted)}
table.headline td.t-warn .big{color:#9a6700}table.headline td.t-bad .big{color:var(--bad)}
@media (max-width:900px){table.headline td{padding-left:12px;white-space:normal}table.headline th[scope=row]{white-space:normal;padding-right:4px}table.headline th[scope=row] .muted{display:block}table.headline .big{font-size:17px}main{padding:28px 16px 60px}}
footer{margin-top:56px;color:var(--muted);font-size:13px;border-top:1px solid var(--line);padding-top:12px}
`.trim();

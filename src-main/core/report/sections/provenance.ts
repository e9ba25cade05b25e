import { bytesText, esc, kvTable, table } from '../htmlKit'
import type { Provenance } from '../types'

export function provenanceSectionHtml(p: Provenance, num: number): string {
  const out = [`<h1>${num} Provenance</h1>`, '<p>What produced these results, so that they can be checked and reproduced. Hashes are SHA-256 of the file contents.</p>']
  out.push(kvTable([
    ['application', `Platonic Lab ${p.appVersion}`],
    ['generated', p.generatedAt],
    ['execution provider', p.ep],
    ...Object.entries(p.environment ?? {}),
  ]))
  if (p.models.length) {
    out.push('<h2>Models</h2>')
    // Hash on its own line under the name so the 64 hex digits never wrap (and stay searchable).
    out.push(
      `<table class="files"><thead><tr><th>model / path / SHA-256</th><th class="num">size</th></tr></thead><tbody>` +
        p.models.map((m) => `<tr><td><b>${esc(m.name)}</b><div class="path">${esc(m.path)}</div><div class="mono">${esc(m.sha256)}</div></td><td class="num">${esc(bytesText(m.bytes))}</td></tr>`).join('\n') +
        '</tbody></table>',
    )
  }
  if (p.datasets.length) {
    out.push('<h2>Datasets</h2>')
    out.push(
      `<table class="files"><thead><tr><th>dataset / SHA-256</th><th class="num">items</th><th class="num">size</th></tr></thead><tbody>` +
        p.datasets.map((d) => `<tr><td><b>${esc(d.name)}</b><div class="mono">${esc(d.sha256)}</div></td><td class="num">${d.n}</td><td class="num">${esc(bytesText(d.bytes))}</td></tr>`).join('\n') +
        '</tbody></table>',
    )
  }
  const params = Object.entries(p.parameters)
  if (params.length) out.push('<h2>Parameters</h2>', kvTable(params))
  if (p.timings.length) {
    out.push('<h2>Timings</h2>')
    out.push(table(p.timings, [{ header: 'step', cell: (t) => t.step }, { header: 'seconds', cell: (t) => t.seconds.toFixed(2), num: true }]))
  }
  if (p.sources && p.sources.length) out.push('<h2>Published sources</h2><ul>' + p.sources.map((s) => `<li>${esc(s)}</li>`).join('') + '</ul>')
  return out.join('\n')
}

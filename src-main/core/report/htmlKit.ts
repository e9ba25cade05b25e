import type { EChartsOption } from 'echarts'
import { renderChartSvg } from './renderSvg'
import type { Paper } from './types'

/** Text for HTML element content and attribute values. */
export function esc(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** Printable width of a chart in CSS px: A4's 180 mm text block at 96 px/in, also used on Letter. */
export const FULL_WIDTH = 680
export const HALF_WIDTH = 336

/** A chart as an inline vector SVG with a caption, kept on one page. */
export function figure(option: EChartsOption, width: number, height: number, caption?: string, cls = ''): string {
  const svg = renderChartSvg(option, width, height)
  const cap = caption ? `<figcaption>${esc(caption)}</figcaption>` : ''
  return `<figure class="chart ${cls}" style="max-width:${width}px">${svg}${cap}</figure>`
}

/** Two or three figures side by side. */
export function figureRow(figures: string[]): string {
  return `<div class="fig-row">${figures.join('')}</div>`
}

export interface Col<T> {
  header: string
  cell: (row: T) => unknown
  /** Right-aligned tabular figures. */
  num?: boolean
  mono?: boolean
}

/** A real text table (selectable, searchable, extractable from the PDF). */
export function table<T>(rows: readonly T[], cols: readonly Col<T>[], cls = ''): string {
  const head = cols.map((c) => `<th${c.num ? ' class="num"' : ''}>${esc(c.header)}</th>`).join('')
  const body = rows
    .map((r) => `<tr>${cols.map((c) => `<td class="${[c.num ? 'num' : '', c.mono ? 'mono' : ''].join(' ').trim()}">${esc(c.cell(r))}</td>`).join('')}</tr>`)
    .join('\n')
  return `<table class="${cls}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

/** Key–value pairs as a two-column table. */
export function kvTable(entries: [string, unknown][]): string {
  return table(entries, [
    { header: 'parameter', cell: (e) => e[0] },
    { header: 'value', cell: (e) => (e[1] === null || e[1] === undefined ? '–' : typeof e[1] === 'object' ? JSON.stringify(e[1]) : e[1]) },
  ], 'kv')
}

export function bytesText(n: number): string {
  if (!Number.isFinite(n)) return '–'
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}`
}

/** Page margins shared by the CSS and both printers (Chromium via playwright, Electron printToPDF). */
export const MARGIN_MM = { top: 16, right: 15, bottom: 18, left: 15 }

export function reportCss(paper: Paper): string {
  const m = MARGIN_MM
  return `
@page { size: ${paper === 'Letter' ? 'letter' : 'A4'}; margin: ${m.top}mm ${m.right}mm ${m.bottom}mm ${m.left}mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Helvetica, Arial, "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; color: #222; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 4mm 0; border-bottom: 1.2pt solid #0072B2; padding-bottom: 1.5mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm 0; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm 0; break-after: avoid; }
p { margin: 0 0 2mm 0; }
section.sec { break-before: page; }
figure.chart { margin: 2mm auto 4mm auto; break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 8pt; color: #555; text-align: center; margin-top: 1mm; }
.fig-row { display: flex; gap: 2mm; justify-content: space-between; break-inside: avoid; }
.fig-row figure.chart { flex: 1 1 0; margin: 2mm 0 3mm 0; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: 1mm 0 4mm 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { text-align: left; font-weight: bold; border-bottom: 0.8pt solid #444; padding: 1.2pt 4pt; background: #f2f5f9; }
td { border-bottom: 0.4pt solid #ccc; padding: 1.2pt 4pt; vertical-align: top; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.mono, div.mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 7pt; white-space: nowrap; }
td:first-child { min-width: 26mm; }
table.kv td:first-child { width: 35%; color: #444; }
table.small { font-size: 7pt; }
.note { font-size: 8pt; color: #555; }
.warn { color: #8a3b00; }
ul { margin: 0 0 3mm 0; padding-left: 5mm; }
li { margin-bottom: 1mm; }
.title-page { min-height: 230mm; display: flex; flex-direction: column; justify-content: center; }
.title-page h1 { font-size: 26pt; border: none; margin-bottom: 3mm; }
.title-page .subtitle { font-size: 13pt; color: #444; margin-bottom: 10mm; }
.title-page .meta { font-size: 9.5pt; color: #333; }
.title-page ol { font-size: 11pt; margin-top: 8mm; }
.path { font-size: 7pt; color: #666; word-break: break-all; }
`
}

/** Footer with page numbers, in the template syntax both Chromium printers understand. */
export function footerTemplate(title: string): string {
  return `<div style="font-family: Helvetica, Arial, sans-serif; font-size: 7.5pt; color: #666; width: 100%; padding: 0 15mm; display: flex; justify-content: space-between;"><span>${esc(title)}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`
}

/** Header template: empty (Chromium prints the URL and date unless given one). */
export const HEADER_TEMPLATE = '<div></div>'

// The report: data model, HTML builder, SVG chart rendering and the Chromium PDF printer.
export * from './types'
export { renderChartSvg, uniquifySvgIds } from './renderSvg'
export { buildReportHtml, availableSections, chosenSections, parseSections, reportTitle, SECTION_TITLES } from './buildReportHtml'
export { printPdf, pdfPageSetup, type PrintOptions } from './printPdf'
export { findChromium, requireChromium } from './findChromium'
export { writeReport, parsePaper, type WriteReportOptions, type WriteReportResult } from './writeReport'
export { footerTemplate, HEADER_TEMPLATE, MARGIN_MM, reportCss } from './htmlKit'
export { summaryLines } from './sections/summary'

import fs from 'node:fs'
import path from 'node:path'
import { chromium } from 'playwright-core'
import { AppError, badInput } from '../../common/errors'
import { requireChromium } from './findChromium'
import { HEADER_TEMPLATE, MARGIN_MM, footerTemplate } from './htmlKit'
import type { Paper } from './types'

export interface PrintOptions {
  paper: Paper
  /** Footer text beside the page numbers. */
  title?: string
  /** Chromium executable; default found by requireChromium(). */
  executablePath?: string
}

/** Page setup shared with the Electron printer (printToPDF takes the same templates; margins in mm here). */
export function pdfPageSetup(paper: Paper, title = 'Platonic Lab report') {
  return {
    format: paper,
    marginMm: MARGIN_MM,
    displayHeaderFooter: true,
    headerTemplate: HEADER_TEMPLATE,
    footerTemplate: footerTemplate(title),
    printBackground: true,
  }
}

/**
 * Prints a report HTML document to PDF with headless Chromium through playwright-core. The page has no
 * network (the document is self-contained and its CSP forbids fetches) and the browser is always closed.
 * Writes to a temporary file beside `outFile` and renames, so a failed print never leaves a torn PDF.
 */
export async function printPdf(html: string, outFile: string, opts: PrintOptions): Promise<{ bytes: number }> {
  const dir = path.dirname(path.resolve(outFile))
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw badInput(outFile, `folder ${dir} does not exist`)
  const executablePath = opts.executablePath ?? requireChromium()
  const setup = pdfPageSetup(opts.paper, opts.title)
  const m = setup.marginMm
  let browser
  try {
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    })
  } catch (e) {
    throw new AppError('UNAVAILABLE', `could not start Chromium at ${executablePath}: ${(e as Error).message.split('\n')[0]}`)
  }
  const tmp = `${outFile}.${process.pid}.tmp`
  try {
    const page = await browser.newPage()
    await page.route('**/*', (route) => route.abort())
    await page.setContent(html, { waitUntil: 'load' })
    await page.emulateMedia({ media: 'print' })
    await page.pdf({
      path: tmp,
      format: setup.format,
      printBackground: setup.printBackground,
      displayHeaderFooter: setup.displayHeaderFooter,
      headerTemplate: setup.headerTemplate,
      footerTemplate: setup.footerTemplate,
      margin: { top: `${m.top}mm`, right: `${m.right}mm`, bottom: `${m.bottom}mm`, left: `${m.left}mm` },
    })
    fs.renameSync(tmp, outFile)
    return { bytes: fs.statSync(outFile).size }
  } finally {
    fs.rmSync(tmp, { force: true })
    await browser.close()
  }
}

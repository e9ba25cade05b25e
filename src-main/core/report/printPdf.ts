import fs from 'node:fs'
import { chromium } from 'playwright-core'
import { AppError } from '../../common/errors'
import { checkWriteTarget, writeAtomically } from '../data/atomicWrite'
import { requireChromium } from './findChromium'
import { HEADER_TEMPLATE, MARGIN_MM, footerTemplate } from './htmlKit'
import type { Paper } from './types'

export interface PrintOptions {
  paper: Paper
  /** Footer text beside the page numbers. */
  title?: string
  /** Chromium executable; default found by requireChromium(). */
  executablePath?: string
  /** Replace an existing `outFile` (else refused). */
  overwrite?: boolean
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
 * Headless Chromium with nothing to reach: every host name resolves to "not found" (loopback excepted),
 * every connection goes to a proxy at 127.0.0.1:9 that does not exist (loopback included, which the
 * printer never needs: playwright talks to it over a pipe), and every background service that would
 * phone home (component and safe-browsing updates, sync, metrics, domain reliability, translation,
 * field trials, crash reports) is off. playwright-core gives it a private, temporary profile.
 */
export const CHROMIUM_OFFLINE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--proxy-server=127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--dns-prefetch-disable',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--disable-field-trial-config',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-pings',
  '--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater,SafeBrowsing,InterestFeedContentSuggestions,NetworkTimeServiceQuerying',
] as const

/**
 * Prints a report HTML document to PDF with headless Chromium through playwright-core. The page has no
 * network (the document is self-contained and its CSP forbids fetches) and the browser is always closed.
 * Writes to a temporary file beside `outFile` and renames (writeAtomically), so a failed print never
 * leaves a torn PDF nor touches an existing one.
 */
export async function printPdf(html: string, outFile: string, opts: PrintOptions): Promise<{ bytes: number }> {
  const target = { overwrite: opts.overwrite }
  checkWriteTarget(outFile, target)
  const executablePath = opts.executablePath ?? requireChromium()
  const setup = pdfPageSetup(opts.paper, opts.title)
  const m = setup.marginMm
  let browser
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_OFFLINE_ARGS] })
  } catch (e) {
    throw new AppError('UNAVAILABLE', `could not start Chromium at ${executablePath}: ${(e as Error).message.split('\n')[0]}`)
  }
  try {
    await writeAtomically(outFile, target, async (tmp) => {
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
    })
    return { bytes: fs.statSync(outFile).size }
  } finally {
    await browser.close()
  }
}

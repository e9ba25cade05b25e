/** Report section ids in print order; the title page is always printed. Shared by the builder and the Reports view. */
export const REPORT_SECTIONS = ['summary', 'alignment', 'maps', 'mle', 'vqa', 'mixtures', 'colour', 'provenance'] as const
export type ReportSection = (typeof REPORT_SECTIONS)[number]

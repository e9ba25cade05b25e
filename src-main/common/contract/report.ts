/** Report vocabulary shared by the report builder, the `report` job and command, and the Reports view. */

/** Report section ids in print order; the title page is always printed. */
export const REPORT_SECTIONS = ['summary', 'alignment', 'maps', 'mle', 'vqa', 'mixtures', 'colour', 'provenance'] as const
export type ReportSection = (typeof REPORT_SECTIONS)[number]

/** Paper sizes a report prints on. */
export const PAPER_SIZES = ['A4', 'Letter'] as const
export type Paper = (typeof PAPER_SIZES)[number]

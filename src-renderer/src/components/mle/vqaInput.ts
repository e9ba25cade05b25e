/** Per-benchmark scores of one model, as eval.vqa takes them. */
export interface ModelScores {
  name: string
  scores: Record<string, number>
}

/**
 * Pasted table → per-model scores. First line: `model` then benchmark names; then one line per model.
 * Commas or tabs separate fields (a spreadsheet paste gives tabs); empty cells mean "not evaluated".
 * Throws an Error whose message names the line and the cell at fault.
 */
export function parseScoresTable(text: string): ModelScores[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  if (lines.length < 2) throw new Error('scores: expected a header line (model, benchmark names…) and at least one model line')
  const sep = lines[0]!.includes('\t') ? '\t' : ','
  const header = lines[0]!.split(sep).map((c) => c.trim())
  if (header.length < 2) throw new Error('scores, line 1: expected "model" followed by benchmark names')
  const benches = header.slice(1)
  const dup = benches.find((b, i) => benches.indexOf(b) !== i)
  if (dup) throw new Error(`scores, line 1: benchmark "${dup}" appears twice`)
  return lines.slice(1).map((line, i) => {
    const cells = line.split(sep).map((c) => c.trim())
    const name = cells[0] ?? ''
    if (!name) throw new Error(`scores, line ${i + 2}: the first cell must name the model`)
    if (cells.length > header.length) throw new Error(`scores, line ${i + 2}: ${cells.length} cells but the header names ${header.length} columns`)
    const scores: Record<string, number> = {}
    benches.forEach((b, j) => {
      const raw = (cells[j + 1] ?? '').replace(/%$/, '')
      if (raw === '') return
      const v = Number(raw)
      if (!Number.isFinite(v)) throw new Error(`scores, line ${i + 2}, ${b}: expected a number, got "${cells[j + 1]}"`)
      scores[b] = v
    })
    return { name, scores }
  })
}

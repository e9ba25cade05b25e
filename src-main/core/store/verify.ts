import fs from 'node:fs'
import path from 'node:path'
import type { Workspace } from './workspace'
import { batchFiles, dropBatches, gcArrays, listFeatureSets } from '../features/store'
import { damagedAlignments, deleteAlignments } from '../align/resultsStore'

/** What `cache verify` found in one set. */
export interface FeatureSetCheck {
  id: string
  ok: boolean
  problems: string[]
  /** Stored batches. */
  batches: number
  /** Batches whose file is missing or damaged, and those files. */
  damaged: number[]
  damagedFiles: string[]
  /** Marked complete but with fewer batches than it needs. */
  incomplete: boolean
}

/** Checks that every batch file of every set exists, has the recorded size and hashes to its name. */
export function verifyFeatureSets(ws: Workspace): FeatureSetCheck[] {
  return listFeatureSets(ws).map((s) => {
    const problems: string[] = []
    const damaged: number[] = []
    const damagedFiles = new Set<string>()
    const rows = batchFiles(ws, s.id)
    for (const r of rows) {
      const v = ws.arrays.verify(r.sha256, r.bytes)
      if (v.ok) continue
      problems.push(`feature set ${s.id}: batch ${r.batchIndex} ${v.problem}`)
      damaged.push(r.batchIndex)
      damagedFiles.add(r.sha256)
    }
    const incomplete = s.state === 'complete' && rows.length !== s.nBatches
    if (incomplete) problems.push(`feature set ${s.id}: marked complete but has ${rows.length}/${s.nBatches} batches`)
    return { id: s.id, ok: problems.length === 0, problems, batches: rows.length, damaged, damagedFiles: [...damagedFiles], incomplete }
  })
}

export interface WorkspaceCheck {
  dir: string
  ok: boolean
  integrity: string
  featureSets: number
  batches: number
  problems: string[]
  repaired: string[]
  /** Harmless findings that do not fail the check (debris of a killed writer). */
  notes: string[]
}

/**
 * The workspace doctor: SQLite's own integrity check plus the app's invariants — every stored feature
 * batch exists with its recorded size and SHA-256, every stored alignment result matches its checksum,
 * a set marked complete has all its batches, no
 * temporary files are left from an interrupted write. Repair never invents data: it drops what is
 * damaged (the set becomes partial, so the next extraction recomputes exactly those batches) and
 * removes unreferenced files.
 */
export function verifyWorkspace(ws: Workspace, opts: { repair?: boolean } = {}): WorkspaceCheck {
  const problems: string[] = []
  const repaired: string[] = []
  const notes: string[] = []
  const integrity = String(ws.db.pragma('integrity_check', { simple: true }))
  if (integrity !== 'ok') problems.push(`sqlite integrity_check: ${integrity}`)
  const fk = ws.db.pragma('foreign_key_check') as unknown[]
  if (fk.length) problems.push(`${fk.length} rows reference missing parents (foreign_key_check)`)

  let batches = 0
  const sets = verifyFeatureSets(ws)
  for (const s of sets) {
    batches += s.batches
    problems.push(...s.problems)
    if (opts.repair && (s.damaged.length || s.incomplete)) {
      dropBatches(ws, s.id, s.damaged, s.damagedFiles)
      repaired.push(`feature set ${s.id}: dropped ${s.damaged.length} damaged batch(es); marked partial so the next extraction recomputes them`)
    }
  }

  // Stored alignment results carry a checksum; a damaged one is dropped (recomputed when asked for).
  const badAlignments = damagedAlignments(ws)
  for (const a of badAlignments) problems.push(`alignment ${a.id} (${a.label}): checksum mismatch`)
  if (opts.repair && badAlignments.length) {
    deleteAlignments(ws, badAlignments.map((a) => a.id))
    repaired.push(`removed ${badAlignments.length} damaged alignment result(s); they are recomputed when asked for again`)
  }

  // A killed writer leaves its temporary file behind; the batch it held was never recorded, so this is
  // debris, not damage. A live writer's file is skipped: deleting it would fail that writer's rename.
  const tmp = listTmp(ws.arrays.root).filter((f) => !writerAlive(f))
  if (tmp.length) {
    notes.push(`${tmp.length} leftover temporary file(s) from interrupted writes (harmless; --repair removes them)`)
    if (opts.repair) {
      for (const f of tmp) fs.rmSync(f, { force: true })
      repaired.push(`removed ${tmp.length} temporary file(s)`)
    }
  }
  if (opts.repair) {
    // Files younger than 10 minutes may belong to an extraction running right now.
    const removed = gcArrays(ws, { minAgeMs: 10 * 60_000 })
    if (removed) repaired.push(`removed ${removed} unreferenced array file(s)`)
  }
  const remaining = opts.repair ? verifyWorkspace(ws, { repair: false }).problems : problems
  return { dir: ws.dir, ok: remaining.length === 0, integrity, featureSets: sets.length, batches, problems, repaired, notes }
}

/** ArrayStore temp names are `<hash>.bin.<pid>.<random>.tmp`; true when that pid still runs here. */
function writerAlive(file: string): boolean {
  const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(file)?.[1])
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function listTmp(root: string): string[] {
  if (!fs.existsSync(root)) return []
  const out: string[] = []
  for (const d of fs.readdirSync(root)) {
    const sub = path.join(root, d)
    if (!fs.statSync(sub).isDirectory()) continue
    for (const f of fs.readdirSync(sub)) if (f.endsWith('.tmp')) out.push(path.join(sub, f))
  }
  return out
}

import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { SCHEMA_WIDE_SQL, TABLE_OWNERS } from '../../../src-main/core/store/tableOwners'
import { REPO_ROOT } from '../../helpers/fixtures'

const MIGRATIONS = 'src-main/core/store/migrations/'
/** Stands for an interpolated table name: `FROM ${t}`. */
const COMPUTED = '${}'

/** The text of every string and template literal in a TypeScript source, interpolations as `${}`. */
function literalsOf(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out: string[] = []
  const visit = (n: ts.Node): void => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text)
    else if (ts.isTemplateExpression(n)) out.push([n.head.text, ...n.templateSpans.map((s) => s.literal.text)].join(COMPUTED))
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return out
}

/** Tables an SQL text reads or writes (SQL keywords are upper case in this code base); `${}` for a computed name. */
function tablesIn(sql: string): string[] {
  const out: string[] = []
  for (const m of sql.matchAll(/\b(?:FROM|INTO|(?<!DO\s)UPDATE|JOIN|TABLE)\s+("?)([A-Za-z_]\w*|\$\{\})\1/g)) {
    const name = m[2]!
    if (!name.startsWith('sqlite_')) out.push(name)
  }
  return out
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`
    if (e.isDirectory()) return sourceFiles(rel)
    return e.isFile() && /\.(ts|vue)$/.test(e.name) ? [rel] : []
  })
}

/** Every table mentioned in SQL per file, with the files that may mention it. */
function sqlOutsideOwners(files: readonly { file: string; source: string }[]): string[] {
  const owners: Record<string, string> = TABLE_OWNERS
  const problems: string[] = []
  for (const { file, source } of files) {
    if (file.startsWith(MIGRATIONS)) continue
    for (const lit of literalsOf(file, source)) {
      for (const t of tablesIn(lit)) {
        if (t === COMPUTED) {
          if (!SCHEMA_WIDE_SQL.includes(file)) problems.push(`${file}: SQL with a computed table name: ${lit.trim().slice(0, 80)}`)
        } else if (!(t in owners)) problems.push(`${file}: SQL on table ${t}, which TABLE_OWNERS does not list`)
        else if (owners[t] !== file) problems.push(`${file}: SQL on table ${t}, owned by ${owners[t]}`)
      }
    }
  }
  return problems
}

describe('one owner per table', () => {
  it('finds the tables of SQL statements and nothing in ordinary strings', () => {
    expect(tablesIn('SELECT s.*, (SELECT COUNT(*) FROM feature_batches b WHERE b.x = s.id) AS done FROM feature_sets s')).toEqual(['feature_batches', 'feature_sets'])
    expect(tablesIn("INSERT OR IGNORE INTO maps(id) VALUES (?)")).toEqual(['maps'])
    expect(tablesIn("UPDATE jobs SET state='failed'")).toEqual(['jobs'])
    expect(tablesIn('INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')).toEqual(['settings'])
    expect(tablesIn('DELETE FROM "eval_rows" WHERE run_id = ?')).toEqual(['eval_rows'])
    expect(tablesIn("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([])
    expect(tablesIn('models: no such file; pick one from the list of datasets')).toEqual([])
    expect(literalsOf('x.ts', 'db.prepare(`SELECT COUNT(*) FROM ${table}`); f("a", \'b\')').map(tablesIn)).toEqual([[COMPUTED], [], []])
  })

  it('flags SQL outside its owner, on an unlisted table, or with a computed table name', () => {
    const stray = sqlOutsideOwners([
      { file: 'src-main/backend/handlers/x.ts', source: "ws.db.prepare('SELECT * FROM colour_runs ORDER BY created_at DESC').get()" },
      { file: 'src-main/core/maps/mapStore.ts', source: "ws.db.prepare('SELECT * FROM maps').all(); ws.db.prepare('SELECT * FROM nonsense').all()" },
      { file: 'src-main/backend/appService.ts', source: 'const count = (t: string) => ws.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()' },
      { file: MIGRATIONS + '001_core.ts', source: "db.exec('CREATE TABLE jobs (id TEXT)')" },
    ])
    expect(stray).toEqual([
      'src-main/backend/handlers/x.ts: SQL on table colour_runs, owned by src-main/core/colour/colourRunStore.ts',
      'src-main/core/maps/mapStore.ts: SQL on table nonsense, which TABLE_OWNERS does not list',
      'src-main/backend/appService.ts: SQL with a computed table name: SELECT COUNT(*) AS n FROM ${}',
    ])
  })

  it('holds for every source file: SQL on a table appears only in its owner module', () => {
    const files = sourceFiles('src-main').map((file) => ({ file, source: fs.readFileSync(path.join(REPO_ROOT, file), 'utf8') }))
    expect(files.length).toBeGreaterThan(100)
    expect(sqlOutsideOwners(files)).toEqual([])
  })

  it('lists exactly the tables the migrations create, each owned by a file that exists', () => {
    const created = new Set<string>()
    for (const file of sourceFiles(MIGRATIONS.slice(0, -1))) {
      for (const lit of literalsOf(file, fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'))) {
        for (const m of lit.matchAll(/\bCREATE TABLE\s+(?:IF NOT EXISTS\s+)?(\w+)/g)) created.add(m[1]!)
      }
    }
    expect([...created].sort()).toEqual(Object.keys(TABLE_OWNERS).sort())
    for (const owner of new Set([...Object.values(TABLE_OWNERS), ...SCHEMA_WIDE_SQL])) expect(fs.existsSync(path.join(REPO_ROOT, owner)), owner).toBe(true)
  })
})

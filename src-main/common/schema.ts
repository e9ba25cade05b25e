/**
 * A tiny runtime schema for API arguments: `unknown` in, typed out. Kept dependency-free so the
 * renderer, the preload and the core all share it.
 */
export interface Schema<T> {
  readonly kind: string
  parse(value: unknown, path: string): T
}
export type Infer<S> = S extends Schema<infer T> ? T : never

export class SchemaError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SchemaError'
  }
}

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
  throw new SchemaError(`${path || 'arguments'}: expected ${expected}, got ${got}`)
}

export const s = {
  string(opts: { min?: number; max?: number } = {}): Schema<string> {
    return {
      kind: 'string',
      parse(v, p) {
        if (typeof v !== 'string') fail(p, 'a string', v)
        if (opts.min !== undefined && v.length < opts.min) throw new SchemaError(`${p}: must not be empty`)
        if (opts.max !== undefined && v.length > opts.max) throw new SchemaError(`${p}: longer than ${opts.max} characters`)
        return v
      },
    }
  },
  number(opts: { min?: number; max?: number; int?: boolean } = {}): Schema<number> {
    return {
      kind: 'number',
      parse(v, p) {
        if (typeof v !== 'number' || !Number.isFinite(v)) fail(p, 'a finite number', v)
        if (opts.int && !Number.isInteger(v)) throw new SchemaError(`${p}: expected an integer, got ${v}`)
        if (opts.min !== undefined && v < opts.min) throw new SchemaError(`${p}: must be >= ${opts.min}, got ${v}`)
        if (opts.max !== undefined && v > opts.max) throw new SchemaError(`${p}: must be <= ${opts.max}, got ${v}`)
        return v
      },
    }
  },
  boolean(): Schema<boolean> {
    return {
      kind: 'boolean',
      parse(v, p) {
        if (typeof v !== 'boolean') fail(p, 'true or false', v)
        return v
      },
    }
  },
  literal<const T extends readonly string[]>(...values: T): Schema<T[number]> {
    return {
      kind: 'literal',
      parse(v, p) {
        if (typeof v !== 'string' || !values.includes(v)) throw new SchemaError(`${p}: expected one of ${values.join(', ')}, got ${JSON.stringify(v)}`)
        return v as T[number]
      },
    }
  },
  array<T>(item: Schema<T>, opts: { max?: number } = {}): Schema<T[]> {
    return {
      kind: 'array',
      parse(v, p) {
        if (!Array.isArray(v)) fail(p, 'an array', v)
        if (opts.max !== undefined && v.length > opts.max) throw new SchemaError(`${p}: more than ${opts.max} entries`)
        return v.map((x, i) => item.parse(x, `${p}[${i}]`))
      },
    }
  },
  /** A JSON object with string keys and values of one schema (tags, capability scores). */
  record<T>(value: Schema<T>): Schema<Record<string, T>> {
    return {
      kind: 'record',
      parse(v, p) {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v)
        const out: Record<string, T> = {}
        for (const [k, x] of Object.entries(v)) out[k] = value.parse(x, `${p}.${k}`)
        return out
      },
    }
  },
  optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
    return {
      kind: 'optional',
      optional: true,
      parse(v, p) {
        return v === undefined || v === null ? undefined : inner.parse(v, p)
      },
    }
  },
  object<Shape extends Record<string, Schema<unknown>>>(shape: Shape): Schema<ObjectOf<Shape>> {
    return {
      kind: 'object',
      parse(v, p) {
        if (v === undefined) v = {}
        if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object', v)
        const src = v as Record<string, unknown>
        for (const k of Object.keys(src)) if (!(k in shape)) throw new SchemaError(`${p ? p + '.' : ''}${k}: unknown argument`)
        const out: Record<string, unknown> = {}
        for (const [k, sch] of Object.entries(shape)) {
          const parsed = sch.parse(src[k], p ? `${p}.${k}` : k)
          if (parsed !== undefined) out[k] = parsed
        }
        return out as ObjectOf<Shape>
      },
    }
  },
  /** Any JSON value, for a part that another schema checks next (`jobs.start`'s parameters, by kind). */
  json(): Schema<unknown> {
    return { kind: 'json', parse: (v) => v }
  },
}

type OptionalKeys<S> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S]
type RequiredKeys<S> = Exclude<keyof S, OptionalKeys<S>>
export type ObjectOf<S extends Record<string, Schema<unknown>>> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }

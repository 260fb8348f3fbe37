// Prepared statements on the embedded database (PGlite), as prepared.ts gives them to Postgres.
//
// PGlite's query() sends every statement unnamed: Parse, Describe, Bind, Describe, Execute and Sync, each a call
// into Postgres, which parses, analyses and plans the text again every time. Prisma's statements are long (an
// `include` is one statement of nested JSON aggregates), and on PGlite that work runs on the service's own thread:
// /coffee status's one statement cost ~3 ms of CPU that way, against ~0.7 ms prepared (bench/README.md, bench:http).
// So the adapter is given a PGlite whose query() keeps each distinct text prepared under the name prepared.ts
// derives from it: the first run parses it and learns its parameter types (one call), every run then binds and
// executes it (one call), and Postgres switches to a cached plan after a few runs, as on a server.
//
// Everything else (exec, transactions' BEGIN/COMMIT, listen, close) is PGlite's own. Statements past the cap of
// distinct texts go through PGlite's query() unnamed, as before.
import { parse, protocol, type ParserOptions, type PGlite, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite'
import { preparedStatementNames } from './prepared.js'

type Query = <T>(text: string, params?: unknown[], options?: QueryOptions) => Promise<Results<T>>

const { serialize } = protocol

/** Parameter types of the statements prepared so far on each PGlite, by name (they live in its one session). */
const preparedOn = new WeakMap<PGlite, Map<string, number[]>>()

/**
 * A view of pglite for PrismaPGlite whose query(), and its transactions' query(), run each statement as a named
 * prepared statement.
 */
export function withPreparedStatements (pglite: PGlite, nameOf = preparedStatementNames()): PGlite {
  const prepared = preparedOn.get(pglite) ?? new Map<string, number[]>()
  preparedOn.set(pglite, prepared)

  /** Runs text as the prepared statement `name`, preparing it first if needed. The caller holds PGlite's query lock. */
  async function run<T> (name: string, text: string, params: readonly unknown[], options: QueryOptions | undefined, syncToFs: boolean): Promise<Results<T>> {
    let types = prepared.get(name)
    if (types === undefined) {
      const { messages } = await pglite.execProtocol(Buffer.concat([
        serialize.parse({ name, text, types: options?.paramTypes }),
        serialize.describe({ type: 'S', name }),
        serialize.sync()
      ]), { syncToFs: false })
      types = parse.parseDescribeStatementResults(messages)
      prepared.set(name, types)
    }
    // As PGlite's query() turns values into text: its serializer for the parameter's type, else toString().
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null
      const type = types[i]!
      const serializer = options?.serializers?.[type] ?? pglite.serializers[type]
      return serializer === undefined ? String(value) : serializer(value)
    })
    const { messages } = await pglite.execProtocol(Buffer.concat([
      serialize.bind({ statement: name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync()
    ]), { syncToFs })
    return parse.parseResults(messages, parsersFor(options?.parsers), { ...options, parsers: undefined })[0] as Results<T>
  }

  // PGlite merges the caller's parsers into its own (~320, one per type and array type) for every result it parses,
  // which cost more than running the statement (~0.4 ms a statement; the adapter passes its own for every query).
  // Here the merge is made once per set of parsers: the caller's, falling back on PGlite's own through the prototype.
  const merged = new WeakMap<ParserOptions, PGlite['parsers']>()
  function parsersFor (own: ParserOptions | undefined): PGlite['parsers'] {
    if (own === undefined) return pglite.parsers
    let both = merged.get(own)
    if (both === undefined || Object.getPrototypeOf(both) !== pglite.parsers) {
      both = Object.assign(Object.create(pglite.parsers) as PGlite['parsers'], own)
      merged.set(own, both)
    }
    return both
  }

  /** query() for pglite itself (inTransaction false) or for one of its transactions. */
  function query (unnamed: Query, inTransaction: boolean): Query {
    return async <T>(text: string, params: unknown[] = [], options?: QueryOptions): Promise<Results<T>> => {
      const name = nameOf({ sql: text })
      if (name === '') return unnamed<T>(text, params, options)
      const runLocked = () => pglite._runExclusiveQuery(() => run<T>(name, text, params, options, !inTransaction))
      // Outside a transaction, wait for any transaction to end first, as PGlite's own query() does.
      return inTransaction ? runLocked() : pglite._runExclusiveTransaction(runLocked)
    }
  }

  const ownQuery = query((text, params, options) => pglite.query(text, params, options), false)
  const transaction = <T>(callback: (tx: Transaction) => Promise<T>): Promise<T> => pglite.transaction((tx) => {
    const txQuery = query((text, params, options) => tx.query(text, params, options), true)
    return callback(new Proxy(tx, {
      get: (target, key) => key === 'query'
        ? <R>(text: string, params?: unknown[], options?: QueryOptions) => {
          if (target.closed) throw new Error('Transaction is closed') // as PGlite's own tx.query
          return txQuery<R>(text, params, options)
        }
        : Reflect.get(target, key, target)
    }))
  })
  return new Proxy(pglite, {
    get (target, key) {
      if (key === 'query') return ownQuery
      if (key === 'transaction') return transaction
      const value: unknown = Reflect.get(target, key, target)
      // PGlite's methods use private fields: call them on PGlite itself, not on the proxy.
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

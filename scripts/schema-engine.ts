// Prisma's schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm), driven through a driver adapter.
// Used by scripts/migration.ts and test/db/schema-drift.test.ts; needs no schema-engine binary download.
//
// The package's own entry point imports the .wasm file as an ES module, which Node 20 cannot do without a flag,
// so the module is instantiated here by hand, the way wasm-bindgen's generated glue expects.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg'

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const SCHEMA_PATH = path.join(PACKAGE_ROOT, 'prisma', 'schema.prisma')
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'prisma', 'migrations')

export interface SchemaFile {
  /** A file name for messages, e.g. schema.prisma. */
  path: string
  content: string
}

export function readSchema (file = SCHEMA_PATH): SchemaFile {
  return { path: path.basename(file), content: readFileSync(file, 'utf8') }
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> }
}

let loaded: typeof bindings | undefined

function load (): typeof bindings {
  if (loaded !== undefined) return loaded
  // The engine's panic hook reports through this global (the Prisma CLI installs the same thing).
  const registry = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message (message: string): void } }
  registry.PRISMA_WASM_PANIC_REGISTRY ??= { set_message (message) { throw new Error(`schema engine panicked: ${message}`) } }
  const glue = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmApi } // not in lib ES2023 or @types/node 20
  const module = new WebAssembly.Module(readFileSync(glue.replace(/\.js$/, '.wasm')))
  const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bindings })
  bindings.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  loaded = bindings
  return loaded
}

export type SchemaEngine = bindings.SchemaEngine

/** Runs fn with a schema engine working on the database behind the adapter, and frees the engine afterwards. */
export async function withSchemaEngine<T> (
  adapter: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
  fn: (engine: SchemaEngine) => Promise<T>
): Promise<T> {
  const { SchemaEngine } = load()
  const engine = await SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, bindMigrationAwareSqlAdapterFactory(adapter))
  try {
    return await fn(engine)
  } finally {
    engine.free()
  }
}

/**
 * Compares the database behind the adapter with a Prisma schema. Returns null when they agree, otherwise the SQL
 * script (as Prisma would write it in a migration) that would bring the database to the schema.
 * Prisma's own _prisma_migrations table is ignored, as Prisma ignores it.
 */
export async function diffDatabaseToSchema (adapter: SqlMigrationAwareDriverAdapterFactory, schema: SchemaFile): Promise<string | null> {
  return withSchemaEngine(adapter, schema, (engine) => diffToSchema(engine, schema))
}

/** diffDatabaseToSchema on an engine from withSchemaEngine, to compare one database with several schemas. */
export async function diffToSchema (engine: SchemaEngine, schema: SchemaFile): Promise<string | null> {
  const files = [schema]
  const result = await engine.diff({
    from: { tag: 'schemaDatasource', files, configDir: PACKAGE_ROOT },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: true, // 2 when there are differences
    filters: { externalTables: [], externalEnums: [] }
  })
  if (result.exitCode === 0) return null
  if (result.exitCode !== 2 || result.stdout === null) throw new Error(`schema engine diff: unexpected result ${JSON.stringify(result)}`)
  return result.stdout
}

/** A migrations directory in the shape the engine's migrate commands (applyMigrations, diagnose…) take. */
export function migrationsList (dir = MIGRATIONS_DIR): bindings.MigrationList {
  const lockfile = path.join(dir, 'migration_lock.toml')
  const names = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockfile) ? readFileSync(lockfile, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') } }
    }))
  }
}

/** The engine's build (a prisma-engines commit), for messages. */
export function schemaEngineVersion (): string {
  return load().version()
}

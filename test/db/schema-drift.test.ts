// prisma/schema.prisma and prisma/migrations must describe the same database. The migrations are applied to a fresh
// PGlite by the service's migrator, then Prisma's schema engine (WebAssembly) diffs that database against the
// schema. If this fails: npm run db:migration -- <name>, review the SQL, commit it.
// (Always PGlite: the engine cannot introspect through @prisma/adapter-pg 7.10. The migrator tests apply the same
// migrations to Postgres when TEST_DATABASE_URL is set.)
import t from 'tap'
import { applyMigrations } from '../../src/db/migrate.js'
import { diffToSchema, readSchema, withSchemaEngine, type SchemaFile } from '../../scripts/schema-engine.js'
import { createRawTestDatabase, silentLog } from '../helpers/database.js'

t.test('schema.prisma and prisma/migrations agree', async (t) => {
  const { sql, adapter } = await createRawTestDatabase(t, { pglite: true })
  await applyMigrations(sql, { log: silentLog })
  const schema = readSchema()
  await withSchemaEngine(adapter, schema, async (engine) => {
    const drift = await diffToSchema(engine, schema)
    t.equal(drift, null, drift === null
      ? 'no drift'
      : `prisma/schema.prisma has changes no migration makes; run \`npm run db:migration -- <name>\`. Missing SQL:\n${drift}`)

    // The same check on deliberately changed copies of the schema must report them, or it proves nothing.
    // The changes are found by pattern so that they keep working as the schema evolves.
    const mutations: Array<{ what: string, change: (text: string) => { text: string, expect: RegExp } }> = [
      {
        what: 'an extra field',
        change: (text) => {
          const model = must(/^model (\w+) \{\n/m.exec(text), 'a model')
          return { text: insertAfter(text, model, '  driftProbe String?\n'), expect: new RegExp(`ALTER TABLE "${model[1]}" ADD COLUMN\\s+"driftProbe" TEXT`) }
        }
      },
      {
        what: 'a renamed column',
        change: (text) => {
          const field = must(/^ {2}(\w+)\s+(String|Int|DateTime)$/m.exec(text), 'a plain required scalar field')
          return { text: insertAfter(text, field, ' @map("drift_probe")'), expect: new RegExp(`DROP COLUMN "${field[1]}"[\\s\\S]*ADD COLUMN\\s+"drift_probe"`) }
        }
      },
      {
        what: 'a changed nullability',
        change: (text) => {
          const field = must(/^ {2}(\w+)\s+(String|Int|DateTime)$/m.exec(text), 'a plain required scalar field')
          return { text: insertAfter(text, field, '?'), expect: new RegExp(`ALTER COLUMN "${field[1]}" DROP NOT NULL`) }
        }
      },
      {
        what: 'a changed default',
        change: (text) => {
          const match = must(/@default\((\d+)\)/.exec(text), 'an integer default')
          const value = Number(match[1]) + 1
          return { text: replaceMatch(text, match, `@default(${value})`), expect: new RegExp(`SET DEFAULT ${value}`) }
        }
      },
      {
        what: 'a missing index',
        change: (text) => {
          const index = must(/^ {2}@@index\(\[[^\]]*\]\)\n/m.exec(text), 'an @@index')
          return { text: replaceMatch(text, index, ''), expect: /DROP INDEX "\w+_idx"/ }
        }
      },
      {
        what: 'a missing unique constraint',
        change: (text) => {
          const unique = must(/ @unique\b/.exec(text), 'an @unique')
          return { text: replaceMatch(text, unique, ''), expect: /DROP INDEX "\w+_key"/ }
        }
      },
      {
        what: 'an extra enum value',
        change: (text) => {
          const enumBlock = must(/^enum (\w+) \{\n/m.exec(text), 'an enum')
          return { text: insertAfter(text, enumBlock, '  driftprobe\n'), expect: new RegExp(`ALTER TYPE "${enumBlock[1]}" ADD VALUE 'driftprobe'`) }
        }
      },
      {
        what: 'a changed referential action',
        change: (text) => {
          const relation = must(/onDelete: Cascade/.exec(text), 'an onDelete: Cascade relation')
          return { text: replaceMatch(text, relation, 'onDelete: Restrict'), expect: /DROP CONSTRAINT "\w+_fkey"[\s\S]*ON DELETE RESTRICT/ }
        }
      }
    ]

    for (const { what, change } of mutations) {
      const changed = change(schema.content)
      t.not(changed.text, schema.content, `${what}: the copy differs`)
      const mutated: SchemaFile = { path: schema.path, content: changed.text }
      t.match(await diffToSchema(engine, mutated), changed.expect, `${what} is reported as drift`)
    }
  })
})

function must (match: RegExpExecArray | null, what: string): RegExpExecArray {
  if (match === null) throw new Error(`schema-drift test: prisma/schema.prisma no longer has ${what}; adjust the mutation`)
  return match
}

function insertAfter (text: string, match: RegExpExecArray, insert: string): string {
  const end = match.index + match[0].length
  return text.slice(0, end) + insert + text.slice(end)
}

function replaceMatch (text: string, match: RegExpExecArray, replacement: string): string {
  return text.slice(0, match.index) + replacement + text.slice(match.index + match[0].length)
}

// Prisma CLI configuration. The service itself never reads this file: it applies prisma/migrations at start.
// `DATABASE_URL=postgres://… npx prisma migrate deploy` applies the same migrations by hand.
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' }
})

import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['src/generated/**', 'dist/**', 'coverage/**', '.tap/**', 'data/**'] })
]

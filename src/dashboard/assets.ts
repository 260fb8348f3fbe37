// The dashboard's static files, read once at start: its own script and style (public/dashboard) and uPlot's
// (node_modules/uplot). Every asset is Coffee's own: no CDN, nothing fetched from elsewhere.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createHash } from 'node:crypto'
import path from 'node:path'

export interface Asset {
  body: Buffer
  type: string
  etag: string
}

function asset (file: string, type: string): Asset {
  const body = readFileSync(file)
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }
}

export function loadAssets (): ReadonlyMap<string, Asset> {
  // src/dashboard and dist/dashboard are both two levels below the package root.
  const own = new URL('../../public/dashboard/', import.meta.url)
  const uplot = path.dirname(createRequire(import.meta.url).resolve('uplot'))
  return new Map([
    ['dashboard.js', asset(new URL('dashboard.js', own).pathname, 'text/javascript; charset=utf-8')],
    ['dashboard.css', asset(new URL('dashboard.css', own).pathname, 'text/css; charset=utf-8')],
    ['uPlot.iife.min.js', asset(path.join(uplot, 'uPlot.iife.min.js'), 'text/javascript; charset=utf-8')],
    ['uPlot.min.css', asset(path.join(uplot, 'uPlot.min.css'), 'text/css; charset=utf-8')]
  ])
}

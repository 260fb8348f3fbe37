// A TCP proxy between Coffee and a real server (Postgres), to cut the line the ways networks fail: refuse new
// connections, reset the open ones, or stall (keep them open and pass nothing, as a partition does).
import net from 'node:net'

export type ProxyMode = 'pass' | 'refuse' | 'stall'

export interface TcpProxy {
  /** Where to connect instead of the target. */
  port: number
  /** Replaces host:port in a URL with the proxy's. */
  urlFor (url: string): string
  /** pass: forward; refuse: new connections are reset at once; stall: accepted or kept, nothing forwarded until pass. */
  setMode (mode: ProxyMode): void
  /** Resets every open connection (both sides see ECONNRESET or a closed socket). */
  resetAll (): void
  /**
   * Closes the server's side of every open connection and leaves the client's open and silent: a partition that
   * outlived the server's patience. Only a timeout on the client's side frees such a connection.
   */
  abandonAll (): void
  close (): Promise<void>
}

export async function startTcpProxy (target: { host: string, port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass'
  const pairs = new Set<{ client: net.Socket, upstream: net.Socket, abandoned: boolean }>()
  const stalled = new Set<() => void>()

  const server = net.createServer((client) => {
    if (mode === 'refuse') {
      client.resetAndDestroy()
      return
    }
    const upstream = net.connect(target)
    const pair = { client, upstream, abandoned: false }
    pairs.add(pair)
    // While stalled, bytes wait here, as TCP would keep retransmitting them; they go on when the line is back.
    const held: { to: net.Socket, chunk: Buffer }[] = []
    const forward = (from: net.Socket, to: net.Socket) => from.on('data', (chunk: Buffer) => {
      if (pair.abandoned) return
      if (mode === 'pass' && held.length === 0) to.write(chunk)
      else held.push({ to, chunk })
    })
    forward(client, upstream)
    forward(upstream, client)
    stalled.add(() => { for (const { to, chunk } of held.splice(0)) if (!pair.abandoned) to.write(chunk) })
    const end = () => {
      if (pair.abandoned && !client.destroyed) return // the client's side stays open until the client closes it
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo

  function resetAll (): void {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy()
      upstream.destroy()
    }
    pairs.clear()
  }

  function abandonAll (): void {
    for (const pair of pairs) {
      pair.abandoned = true
      pair.upstream.destroy()
    }
  }

  return {
    port,
    urlFor (url) {
      const parsed = new URL(url)
      parsed.hostname = '127.0.0.1'
      parsed.port = String(port)
      return parsed.toString()
    },
    setMode (next) {
      mode = next
      if (mode === 'pass') for (const release of stalled) release()
    },
    resetAll,
    abandonAll,
    async close () {
      resetAll()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

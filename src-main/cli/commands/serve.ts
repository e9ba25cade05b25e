import { Backend } from '../../backend/appService'
import { createDispatcher } from '../../common/dispatch'
import { badInput } from '../../common/errors'
import { resolveDataDir } from '../../core/paths'
import { isLoopbackHost, startServer } from '../../server/httpServer'
import { ensureRendererBuilt } from '../../server/rendererBuild'
import { flagNumber, flagString } from '../args'
import type { Command } from '../command'

export const command: Command = {
  name: 'serve',
  summary: 'serve the UI on loopback for a browser',
  usage: [
    'platonic-lab serve [--host 127.0.0.1] [--port 0] [--allow-remote] [--data DIR]',
    '',
    'Serves the app to a browser on this machine. Prints one line with the URL (it carries a per-run',
    'token; API calls need it in the x-platonic-token header and come from the page\'s own origin).',
    'Ctrl-C stops the server and any running job.',
  ].join('\n'),
  flags: ['host', 'port'],
  booleanFlags: ['allow-remote'],
  async run(ctx) {
    const host = flagString(ctx.args, 'host', '127.0.0.1')!
    const port = flagNumber(ctx.args, 'port', 0, { int: true, min: 0, max: 65535 })
    const allowRemote = ctx.args.flags['allow-remote'] === true
    if (!allowRemote && !isLoopbackHost(host)) throw badInput('--host', `${host} is not a loopback address; add --allow-remote to serve other machines (anyone who has the URL can then use the app)`)
    const staticDir = ensureRendererBuilt(ctx.log)
    const backend = new Backend({ dataDir: resolveDataDir(flagString(ctx.args, 'data')), mode: 'browser' })
    const dispatch = createDispatcher(backend.api)
    const server = await startServer({ dispatch, subscribe: (cb) => backend.subscribe(cb), staticDir, host, port, allowRemote })
    process.stdout.write(`Platonic Lab at ${server.url}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => resolve()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      ctx.signal.addEventListener('abort', stop)
    })
    await server.close()
    backend.close()
    return { json: null, text: '' }
  },
}

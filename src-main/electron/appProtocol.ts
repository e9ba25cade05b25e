import fs from 'node:fs'
import { staticFile } from '../server/staticFiles'
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, originOf } from './security'

/**
 * The answer to one request for `app://renderer/…`: a file of the built renderer folder, or 404.
 * Confinement is staticFile's (decoded `..`, NUL bytes, backslashes and symlinks that leave the
 * folder are refused), so the scheme can never reach another file of the machine. Free of Electron
 * (Response is the global Fetch one) so it is tested under plain Node; main.ts only registers it.
 */
export async function appProtocolResponse(rendererRoot: string, url: string, method = 'GET'): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return new Response('method not allowed', { status: 405 })
  if (originOf(url) !== APP_ORIGIN) return new Response('not found', { status: 404 })
  const file = staticFile(rendererRoot, new URL(url).pathname)
  if (!file) return new Response('not found', { status: 404 })
  let body: Buffer
  try {
    body = await fs.promises.readFile(file.path)
  } catch {
    return new Response('not found', { status: 404 })
  }
  const headers = { 'content-type': file.type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' }
  return new Response(method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers })
}

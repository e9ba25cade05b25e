import { desktopHost } from './desktop'
import type { DesktopBridge, Host } from './host'

/** The desktop host when the preload's bridge is there, otherwise the browser's (made only then). */
export function selectHost(bridge: DesktopBridge | undefined, browser: () => Host): Host {
  return bridge ? desktopHost(bridge) : browser()
}

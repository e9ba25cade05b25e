import type { Workspace } from '../store/workspace'
import type { ColourSection, MapsSection } from './types'

/** Sections fed by the maps and colour capabilities (filled in as they store results). */
export async function gatherExtras(_ws: Workspace): Promise<{ maps?: MapsSection; colour?: ColourSection }> {
  return {}
}

// electron-builder afterPack hook: sets Electron's fuses in the packaged binary (electron-builder 25
// has no fuse option and @electron/fuses is not a dependency, so the wire is written here).
//
// Fuse wire layout (Electron's docs/tutorial/fuses.md and @electron/fuses): the ASCII sentinel below,
// then one byte wire version (1), one byte wire length, then one byte per fuse: '0' disabled,
// '1' enabled, 'r' removed. A universal macOS binary holds one wire per architecture.
'use strict'
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads hooks with require() */
const fs = require('node:fs')
const path = require('node:path')

const SENTINEL = Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX', 'ascii')
const WIRE_VERSION = 1
const DISABLE = 0x30
const ENABLE = 0x31
const REMOVED = 0x72

/** Index of each fuse on the version-1 wire. */
const FUSE_INDEX = {
  RunAsNode: 0,
  EnableCookieEncryption: 1,
  EnableNodeOptionsEnvironmentVariable: 2,
  EnableNodeCliInspectArguments: 3,
  EnableEmbeddedAsarIntegrityValidation: 4,
  OnlyLoadAppFromAsar: 5,
  LoadBrowserProcessSpecificV8Snapshot: 6,
  GrantFileProtocolExtraPrivileges: 7,
}

/**
 * The packaged app's settings. RunAsNode stays on: the backend forks its job hosts from the Electron
 * binary as plain Node (ELECTRON_RUN_AS_NODE, see src-main/backend/jobManager.ts), and a utility
 * process cannot start utility processes of its own. Everything else that lets the environment or the
 * command line change what the binary runs is off; the renderer loads from app://, so file:// needs no
 * extra privileges.
 */
const FUSES = {
  RunAsNode: true,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
}

/** Writes `settings` into every fuse wire of `binary` (in place); returns how many wires were set. */
function setFuseWires(binary, settings = FUSES) {
  const wires = []
  for (let at = binary.indexOf(SENTINEL); at !== -1; at = binary.indexOf(SENTINEL, at + 1)) wires.push(at + SENTINEL.length)
  if (wires.length === 0) throw new Error('no fuse wire in this Electron binary (fuses need Electron 12 or later)')
  if (wires.length > 2) throw new Error(`${wires.length} fuse wires found; at most 2 (a universal macOS binary) are expected`)
  for (const w of wires) {
    if (binary[w] !== WIRE_VERSION) throw new Error(`fuse wire version ${binary[w]} is not the supported version ${WIRE_VERSION}`)
    const length = binary[w + 1]
    for (const [name, on] of Object.entries(settings)) {
      const i = FUSE_INDEX[name]
      if (i === undefined) throw new Error(`unknown fuse ${name}`)
      if (i >= length) throw new Error(`this Electron binary has no fuse ${name} (wire of ${length})`)
      if (binary[w + 2 + i] === REMOVED) continue
      binary[w + 2 + i] = on ? ENABLE : DISABLE
    }
  }
  return wires.length
}

/** The file holding the fuse wire in electron-builder's output folder for one platform. */
function fuseFile(appOutDir, platform, productFilename, executableName) {
  if (platform === 'darwin' || platform === 'mas') {
    return path.join(appOutDir, `${productFilename}.app`, 'Contents', 'Frameworks', 'Electron Framework.framework', 'Electron Framework')
  }
  if (platform === 'win32') return path.join(appOutDir, `${productFilename}.exe`)
  return path.join(appOutDir, executableName)
}

async function afterPack(context) {
  const info = context.packager.appInfo
  const file = fuseFile(context.appOutDir, context.electronPlatformName, info.productFilename, context.packager.executableName ?? info.productFilename)
  const binary = fs.readFileSync(file)
  setFuseWires(binary)
  fs.writeFileSync(file, binary)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.setFuseWires = setFuseWires
module.exports.fuseFile = fuseFile
module.exports.FUSES = FUSES
module.exports.FUSE_INDEX = FUSE_INDEX

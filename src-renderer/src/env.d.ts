/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

interface Window {
  /** The preload's bridge (src-main/common/contract/bridge.ts), present only in the desktop window (host/ is its only reader). */
  platonic?: import('../../src-main/common/contract/bridge').DesktopBridge
}

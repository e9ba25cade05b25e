/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

interface Window {
  /** The preload's bridge, present only in the desktop window (host/ is its only reader). */
  platonic?: import('./host/host').DesktopBridge
}

/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

/** The preload's bridge (src-main/common/contract/bridge.ts), present only in the desktop window. */
interface Window {
  platonic?: import('../../src-main/common/contract/bridge').PlatonicBridge
}

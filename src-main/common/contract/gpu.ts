/** Execution providers: what a user can ask for (`--ep`, the `ep` of a job) and what the GPU panel reports. */

/** Execution providers a user can ask for; `auto` tries the platform's GPU providers, then the CPU. */
export const EP_CHOICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const
export type EpChoice = (typeof EP_CHOICES)[number]

export interface ProviderStatus {
  ep: string
  /** Provider binary ships with onnxruntime-node for this platform. */
  bundled: boolean
  /** A session was created and ran a tiny graph on it. */
  usable: boolean
  /** Why it is not usable (onnxruntime's own words where it gave any). */
  reason: string | null
  /** What to do to enable it. */
  howTo: string | null
  /** Milliseconds to create the session and run the probe. */
  ms: number | null
  /** What the provider printed while probed (WebGPU: Dawn's and the Vulkan driver's messages), else null. */
  details?: string | null
}

export interface GpuStatus {
  platform: string
  arch: string
  ortVersion: string
  autoOrder: string[]
  /** What `--ep auto` would pick now. */
  autoPicks: string
  providers: ProviderStatus[]
}

/**
 * onnxruntime-node (from 1.29 on Linux and macOS) sends usage telemetry to Microsoft's 1DS collector
 * (mobile.events.data.microsoft.com) and keeps an event cache and device id under ~/.cache/Microsoft,
 * unless ORT_DISABLE_TELEMETRY=1 is in the environment when its runtime environment is created (the
 * first session). The app promises that nothing leaves the machine, so the variable is set as soon as
 * any module that creates sessions is loaded, always (a user's other value included); child processes
 * (job hosts, the WebGPU probe) inherit it.
 */
export const ORT_TELEMETRY_OFF = { ORT_DISABLE_TELEMETRY: '1' } as const

export function disableOrtTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, ORT_TELEMETRY_OFF)
}

disableOrtTelemetry()

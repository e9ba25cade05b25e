import type { DemoStep } from './demoJob'

/** Demo steps after the alignment sweep: item maps and the colour experiment. */
export const DEMO_EXTRAS: DemoStep[] = []

/** The registry's wire types: the app, its workspace, and the models and datasets registered in it (plain JSON). */

export interface AppInfo {
  name: string
  version: string
  dataDir: string
  mode: 'electron' | 'browser' | 'in-process'
  platform: string
  arch: string
  /** The first start of a workspace that is still empty: the UI offers the demo. */
  firstRun: boolean
}

export type Modality = 'vision' | 'text' | 'unknown'

export interface ModelDto {
  id: string
  name: string
  path: string
  format: 'onnx-folder' | 'onnx-file'
  modality: Modality
  sha256: string
  bytes: number
  tags: Record<string, string>
  capabilities: Record<string, number>
  info: Record<string, unknown>
  addedAt: string
}

export interface DatasetDto {
  id: string
  name: string
  path: string
  format: string
  n: number
  hasImages: boolean
  hasText: boolean
  sha256: string
  bytes: number
  info: Record<string, unknown>
  addedAt: string
}

export interface DatasetItemDto {
  index: number
  id: string
  caption?: string
  image?: string
  attributes?: Record<string, string>
}

export interface WorkspaceSummary {
  dataDir: string
  schemaVersion: number
  models: number
  datasets: number
  featureSets: number
  alignments: number
  evalRuns: number
  mixtureTables: number
  isEmpty: boolean
  demoLoaded: boolean
}

export type WorkspaceArea = 'models' | 'datasets' | 'features' | 'alignments' | 'eval' | 'mixtures' | 'maps' | 'colour' | 'all'

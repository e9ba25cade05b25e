import type { Direction, RankMethod } from '../../../../src-main/common/contract/mix'

/** How the view ranks the recipes; sent to mix.analyse as method / directions / weights. */
export interface RankSettings {
  method: RankMethod
  directions: Record<string, Direction>
  weights: Record<string, number>
}

export const defaultRankSettings = (): RankSettings => ({ method: 'mean-rank', directions: {}, weights: {} })

/** How the user asked the recipes to be ranked; sent to mix.analyse as method / directions / weights. */
export interface RankSettings {
  method: 'mean-rank' | 'weighted-score'
  directions: Record<string, 'higher' | 'lower'>
  weights: Record<string, number>
}

export const defaultRankSettings = (): RankSettings => ({ method: 'mean-rank', directions: {}, weights: {} })

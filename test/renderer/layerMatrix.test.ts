import { describe, expect, it } from 'vitest'
import { axisLabels } from '../../src-renderer/src/components/align/layerMatrix'

describe('axisLabels', () => {
  it('short names stay as they are', () => {
    expect(axisLabels(['hidden_states.0', 'logits'].map((n) => n.slice(0, 14)))).toEqual(['hidden_states.', 'logits'])
  })
  it("a CNN's stages are labelled by their module scope", () => {
    const resnet = [1, 2, 3, 4].map((k) => `/layer${k}/layer${k}.0/relu_1/Relu_output_0`)
    expect(axisLabels(['concat', ...resnet])).toEqual(['concat', 'layer1', 'layer2', 'layer3', 'layer4'])
    const convnext = [0, 1, 2].map((k) => `/features/features.${k}/features.${k}.0/Add_output_0`)
    expect(axisLabels(convnext)).toEqual(['features.0', 'features.1', 'features.2'])
  })
  it('positions when scopes are missing or do not tell layers apart', () => {
    expect(axisLabels(['/encoder/block_1/a_long_tensor_name', '/encoder/block_1/another_long_name'])).toEqual(['0', '1'])
    expect(axisLabels(['a_very_long_output_name_0', 'a_very_long_output_name_1'])).toEqual(['0', '1'])
  })
})

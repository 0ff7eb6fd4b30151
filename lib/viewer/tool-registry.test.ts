import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { reviewKeys } from '../findings/review-keys'
import { viewCommandKeys } from './hotkeys'
import { measurementKinds } from './measurements'
import { defaultTool, effectiveTool, measurementKindOf, toolForMeasurementKind, tools, toolsForLayout } from './tool-registry'

describe('tool registry', () => {
  it('names each tool once', () => {
    const ids = tools.map((tool) => tool.id)
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(', ')}`)
  })

  it('gives each tool hotkey to one tool, clashing with no view command or review key', () => {
    const hotkeys = tools.flatMap((tool) => (tool.hotkey ? [tool.hotkey] : []))
    assert.ok(hotkeys.length > 0)
    assert.equal(new Set(hotkeys).size, hotkeys.length, `duplicate hotkeys in ${hotkeys.join(', ')}`)
    for (const key of hotkeys) {
      assert.ok(!viewCommandKeys.includes(key), `${key} is also a view command key`)
      assert.ok(!reviewKeys.includes(key), `${key} is also a review key`)
    }
  })

  it('maps every measurement kind to exactly one tool and back', () => {
    for (const kind of measurementKinds) {
      const makers = tools.filter((tool) => tool.kind.type === 'measurement' && tool.kind.measurement === kind)
      assert.equal(makers.length, 1, `${kind} is made by ${makers.length} tools`)
      const tool = toolForMeasurementKind(kind)
      assert.ok(tool, kind)
      assert.equal(measurementKindOf(tool.id), kind)
    }
    assert.equal(measurementKindOf('Pan'), null)
    assert.equal(measurementKindOf('NoSuchTool'), null)
  })

  it('binds each mouse button to at most one tool, the primary one to exactly one', () => {
    const bindings = tools.flatMap((tool) => (tool.binding ? [tool.binding] : []))
    assert.equal(new Set(bindings).size, bindings.length, `a button bound twice: ${bindings.join(', ')}`)
    assert.equal(bindings.filter((binding) => binding === 'primary').length, 1)
    assert.ok(defaultTool.layouts.includes('stack') && defaultTool.layouts.includes('mpr'), 'the default tool applies everywhere')
  })

  it('offers Crosshairs in MPR only, falling back to the default tool in a stack', () => {
    assert.ok(toolsForLayout('mpr').some((tool) => tool.id === 'Crosshairs'))
    assert.ok(!toolsForLayout('stack').some((tool) => tool.id === 'Crosshairs'))
    assert.equal(effectiveTool('Crosshairs', 'stack').id, defaultTool.id)
    assert.equal(effectiveTool('Crosshairs', 'mpr').id, 'Crosshairs')
    assert.equal(effectiveTool('Length', 'stack').id, 'Length')
  })
})

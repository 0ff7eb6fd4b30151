'use client'
import { useCallback, useEffect, useState } from 'react'
import type { ModelManifest } from '../inference/manifest'
import { describeMeasurement, type ProviderMeasurement } from '../inference/provider-choice'
import { choiceKeyFor, forgetChoice, storedChoice, storeChoice } from '../inference/provider-choice.client'

// The model panel's view of "auto": the choice measured for the selected model in this
// browser (provider-choice.ts), with its times, and a way to measure again. The reader can
// always override it with an explicit provider in the runtime select.

export interface ProviderChoiceState {
  /** The stored measurement for the model here, or null before the first "auto" run. */
  measurement: ProviderMeasurement | null
  /** The stored choice as it stands when a run starts (read again, in case another tab measured). */
  current(): Promise<{ key: string; measurement: ProviderMeasurement | null }>
  /** Keeps a run's measurement as the model's choice. */
  keep(key: string, measurement: ProviderMeasurement): void
  forget(): Promise<void>
}

export function useProviderChoice(manifest: ModelManifest | null): ProviderChoiceState {
  const [measurement, setMeasurement] = useState<ProviderMeasurement | null>(null)
  const current = useCallback(async () => {
    if (!manifest) throw new Error('No model is selected')
    const key = await choiceKeyFor(manifest)
    return { key, measurement: storedChoice(key) }
  }, [manifest])
  useEffect(() => {
    let live = true
    setMeasurement(null)
    if (manifest) void current().then((found) => live && setMeasurement(found.measurement))
    return () => {
      live = false
    }
  }, [manifest, current])
  return {
    measurement,
    current,
    keep(key, next) {
      storeChoice(key, next)
      setMeasurement(next)
    },
    async forget() {
      forgetChoice((await current()).key)
      setMeasurement(null)
    },
  }
}

export function ProviderChoiceLine({ choice, disabled }: { choice: ProviderChoiceState; disabled: boolean }) {
  const { measurement } = choice
  if (!measurement) {
    return (
      <p className="muted" style={{ fontSize: '.75rem' }} data-testid="provider-choice" data-chosen="">
        Auto: the first run here times a warm pass on each runtime and keeps the faster.
      </p>
    )
  }
  return (
    <p
      className="muted"
      style={{ fontSize: '.75rem' }}
      data-testid="provider-choice"
      data-chosen={measurement.chosen}
      data-wasm-ms={measurement.warmPassMs.wasm}
      data-webgpu-ms={measurement.warmPassMs.webgpu ?? ''}
      title={`Measured ${measurement.measuredAt} on ${measurement.input}`}
    >
      Auto: {describeMeasurement(measurement)}.{' '}
      <button type="button" data-testid="provider-measure-again" disabled={disabled} onClick={() => void choice.forget()}>
        Measure again
      </button>
    </p>
  )
}

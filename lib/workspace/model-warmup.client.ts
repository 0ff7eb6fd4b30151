'use client'
import { useEffect, useState } from 'react'
import { warmModel, type Warmed } from '../inference/inference.client'
import type { ExecutionProvider, ProviderPreference, SessionWarmup } from '../inference/inference-protocol'
import type { ModelSummary } from '../inference/model-summary'
import type { Viewer } from '../viewer/viewer.client'
import type { ProviderChoiceState } from './provider-choice.client'

// The selected model's session, prepared once the series has loaded and the page is idle
// (earlier, starting the runtime takes the cores from the decoding), before the Run click: the
// worker loads the model (Cache Storage as a run would, else the one download) and creates
// its session on the provider the run would use, so the run starts at its first forward
// pass. "Auto" warms the stored choice, or WASM before the first run has measured (WASM is
// always timed, so the measurement reuses it). A warm-up is queued in the worker like any
// request, so a run clicked before it finished waits for it and reuses its session. A warm-up
// is never cancelled: ORT cannot stop creating a session, and a cancel not answered in time
// restarts the worker (inference-channel.ts); a stale one only leaves a kept session.

export type WarmupState =
  | { status: 'none' }
  | { status: 'preparing'; provider: ExecutionProvider }
  | { status: 'ready'; warmed: Warmed }
  | { status: 'failed'; provider: ExecutionProvider; message: string }

/** The provider a run with this preference would start on now, as the model panel's run picks it. */
async function runProvider(preference: ProviderPreference, storedChoice: ProviderChoiceState['current']): Promise<ExecutionProvider> {
  if (preference !== 'auto') return preference
  return (await storedChoice()).measurement?.chosen ?? 'wasm'
}

/** Once the page is idle (or after `timeoutMs` at the latest); Safari has no requestIdleCallback. */
function whenIdle(callback: () => void, timeoutMs = 1000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(callback, { timeout: timeoutMs })
    return () => cancelIdleCallback(handle)
  }
  const handle = setTimeout(callback, 0)
  return () => clearTimeout(handle)
}

/** Warms `model`'s session for `preference` once `viewer` (null while no series is shown) has loaded its series. */
export function useModelWarmup(model: ModelSummary | null, preference: ProviderPreference, choice: ProviderChoiceState, viewer: Pick<Viewer, 'whenLoaded'> | null): WarmupState {
  const [state, setState] = useState<WarmupState>({ status: 'none' })
  const fileUrl = viewer ? (model?.fileUrl ?? null) : null
  const manifest = model?.manifest ?? null
  // The stored choice changes after the first "auto" run or "Measure again": warm what the next run uses.
  const chosen = choice.measurement?.chosen ?? null
  const { current } = choice
  useEffect(() => {
    setState({ status: 'none' })
    if (!viewer || !fileUrl || !manifest) return
    let live = true
    let cancelIdle = () => {}
    const warm = () => {
      void (async () => {
        const provider = await runProvider(preference, current)
        if (!live) return
        setState({ status: 'preparing', provider })
        try {
          const warmed = await warmModel({ manifest, fileUrl, provider }).result
          if (live) setState({ status: 'ready', warmed })
        } catch (error) {
          // The run tries again and reports the error where the reader looks for it.
          if (live) setState({ status: 'failed', provider, message: error instanceof Error ? error.message : String(error) })
        }
      })()
    }
    void viewer.whenLoaded().then(() => {
      if (live) cancelIdle = whenIdle(warm)
    })
    return () => {
      live = false
      cancelIdle()
    }
  }, [viewer, manifest, fileUrl, preference, chosen, current])
  return state
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** "Session prepared in N s before the run", for a result whose session a warm-up made. */
export function describeWarmup(warmup: SessionWarmup | null): string {
  if (!warmup) return ''
  return `session prepared in ${seconds(warmup.loadModelMs + warmup.createSessionMs)} before the run (model ${seconds(warmup.loadModelMs)}, runtime ${seconds(warmup.createSessionMs)})`
}

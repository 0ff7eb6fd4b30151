'use client'
import { useEffect, useState, type FormEvent } from 'react'
import { downloadJson } from '../http/download.client'
import { sendForm, sendJson } from '../http/send-json.client'
import { checkModel, type ModelCheckResult } from './inference.client'
import { compareOutputs, type OutputComparison } from './model-check'
import type { ModelSummary } from './model-summary'

// Model administration: the registry with each model's identity, adding a model (upload
// or URL; the server checks SHA-256 and tensor names), and a check that runs the model's
// raw forward pass on this machine's GPU (WebGPU) and CPU (WASM) and compares them.

type Message = { kind: 'error' | 'notice'; text: string }

interface CheckOutcome {
  modelId: string
  results: Partial<Record<'webgpu' | 'wasm', ModelCheckResult>>
  errors: Partial<Record<'webgpu' | 'wasm', string>>
  comparison: OutputComparison | null
}

async function webGpuAdapter(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu
  return !!gpu && (await gpu.requestAdapter().catch(() => null)) !== null
}

export function ModelAdmin({ initialModels }: { initialModels: ModelSummary[] }) {
  const [models, setModels] = useState(initialModels)
  const [message, setMessage] = useState<Message | null>(null)
  const [busy, setBusy] = useState(false)
  const [check, setCheck] = useState<CheckOutcome | null>(null)
  const [checking, setChecking] = useState<string | null>(null)
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const manifestFile = form.get('manifest')
    const modelFile = form.get('file')
    const url = String(form.get('url') ?? '').trim()
    setBusy(true)
    setMessage(null)
    try {
      if (!(manifestFile instanceof File) || manifestFile.size === 0) throw new Error('Choose the manifest (manifest.json).')
      let saved: ModelSummary
      if (url) {
        let manifest: unknown
        try {
          manifest = JSON.parse(await manifestFile.text())
        } catch {
          throw new Error('The manifest is not valid JSON.')
        }
        saved = (await sendJson('/api/admin/models', 'POST', { manifest, url })) as ModelSummary
      } else {
        if (!(modelFile instanceof File) || modelFile.size === 0) throw new Error('Choose the ONNX file, or give its URL.')
        const upload = new FormData()
        upload.set('manifest', manifestFile)
        upload.set('file', modelFile)
        saved = (await sendForm('/api/admin/models/upload', upload)) as ModelSummary
      }
      setModels((current) => [...current.filter((model) => model.manifest.parallax.id !== saved.manifest.parallax.id), saved])
      setMessage({ kind: 'notice', text: `Added ${saved.manifest.parallax.name} ${saved.manifest.version}.` })
      formElement.reset()
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message })
    } finally {
      setBusy(false)
    }
  }

  async function runCheck(model: ModelSummary) {
    if (!model.fileUrl) return
    const id = model.manifest.parallax.id
    setChecking(id)
    const outcome: CheckOutcome = { modelId: id, results: {}, errors: {}, comparison: null }
    const providers: ('webgpu' | 'wasm')[] = (await webGpuAdapter()) ? ['webgpu', 'wasm'] : ['wasm']
    if (providers.length === 1) outcome.errors.webgpu = 'This browser offers no WebGPU adapter.'
    for (const provider of providers) {
      try {
        outcome.results[provider] = await checkModel({ manifest: model.manifest, fileUrl: model.fileUrl, provider })
      } catch (error) {
        outcome.errors[provider] = (error as Error).message
      }
    }
    const { webgpu, wasm } = outcome.results
    const channels = model.manifest.network_data_format.outputs[model.manifest.parallax.output]?.num_channels ?? 1
    if (webgpu && wasm) outcome.comparison = compareOutputs(webgpu.output, wasm.output, channels)
    setCheck(outcome)
    setChecking(null)
  }

  function downloadCheck(outcome: CheckOutcome) {
    const body = {
      model: outcome.modelId,
      description: (outcome.results.wasm ?? outcome.results.webgpu)?.description,
      dims: (outcome.results.wasm ?? outcome.results.webgpu)?.dims,
      outputs: Object.fromEntries(Object.entries(outcome.results).map(([provider, result]) => [provider, Array.from(result.output)])),
      errors: outcome.errors,
    }
    downloadJson(`${outcome.modelId}-check.json`, body)
  }

  return (
    <>
      <table data-testid="models-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Version</th>
            <th>Modalities</th>
            <th>SHA-256</th>
            <th>Source</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {models.map((model) => {
            const { id, name, modalities, file, dimensionality, kind } = model.manifest.parallax
            return (
              <tr key={id} data-testid="model-row" data-model-id={id}>
                <td>
                  <strong>{name}</strong>
                  <div className="muted" style={{ fontSize: '.75rem' }}>
                    {id} · {dimensionality.toUpperCase()} {kind}
                  </div>
                </td>
                <td>{model.manifest.version}</td>
                <td>{modalities.join(', ')}</td>
                <td>
                  <code title={file.sha256}>{file.sha256.slice(0, 12)}…</code>
                </td>
                <td>{model.fileUrl ? model.source : `${model.source}, file not added`}</td>
                <td>
                  <button type="button" data-testid="model-check" disabled={!model.fileUrl || checking !== null} onClick={() => void runCheck(model)}>
                    {checking === id ? 'Checking…' : 'Check on this machine'}
                  </button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {check && (
        <section data-testid="model-check-result" data-model-id={check.modelId} data-max-abs-difference={check.comparison?.maxAbsDifference ?? ''}>
          <h2>Check: {check.modelId}</h2>
          <p className="muted" style={{ fontSize: '.8rem' }}>
            {(check.results.wasm ?? check.results.webgpu)?.description}
          </p>
          <table style={{ fontSize: '.85rem' }}>
            <tbody>
              {(['webgpu', 'wasm'] as const).map((provider) => (
                <tr
                  key={provider}
                  data-testid={`model-check-${provider}`}
                  data-status={check.results[provider] ? 'ok' : 'failed'}
                  data-run-ms={check.results[provider]?.runMs ?? ''}
                >
                  <td>{provider === 'webgpu' ? 'WebGPU' : 'WASM (CPU)'}</td>
                  <td>
                    {check.results[provider]
                      ? `session ${check.results[provider].sessionMs.toFixed(0)} ms, first run ${check.results[provider].firstRunMs.toFixed(0)} ms, then ${check.results[provider].runMs.toFixed(0)} ms`
                      : check.errors[provider]}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {check.comparison && (
            <p data-testid="model-check-comparison">
              WebGPU vs WASM: max |Δ| {check.comparison.maxAbsDifference.toExponential(2)}, mean |Δ| {check.comparison.meanAbsDifference.toExponential(2)}, argmax agreement{' '}
              {(100 * check.comparison.argmaxAgreement).toFixed(3)}%
            </p>
          )}
          <button type="button" data-testid="model-check-download" onClick={() => downloadCheck(check)}>
            Download outputs
          </button>
        </section>
      )}
      <h2>Add a model</h2>
      <form onSubmit={add} data-testid="model-add-form" className="form-row">
        <label>
          Manifest (manifest.json) <input type="file" name="manifest" accept=".json,application/json" data-testid="model-add-manifest" required />
        </label>
        <label>
          ONNX file <input type="file" name="file" accept=".onnx" data-testid="model-add-file" />
        </label>
        <label>
          …or its URL <input type="url" name="url" placeholder="https://…/model.onnx" data-testid="model-add-url" />
        </label>
        <button type="submit" data-testid="model-add-submit" disabled={busy || !hydrated}>
          {busy ? 'Checking and adding…' : 'Add model'}
        </button>
      </form>
      {message && (
        <p className={message.kind === 'error' ? 'error' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="model-add-message">
          {message.text}
        </p>
      )}
    </>
  )
}

'use client'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { createProject } from './projects.client'
import type { LabelSegment } from './schema'

// The form that creates a project: its name, description and label schema (segments with
// their SNOMED CT category and type). Studies and annotators are added on its dashboard.

const firstSegment: LabelSegment = {
  number: 1,
  name: 'Lesion',
  colour: '#ff3030',
  category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically abnormal structure' },
  type: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
}

export function CreateProjectForm() {
  const router = useRouter()
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [segments, setSegments] = useState<LabelSegment[]>([firstSegment])
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const change = (index: number, patch: (segment: LabelSegment) => LabelSegment) => setSegments((all) => all.map((segment, i) => (i === index ? patch(segment) : segment)))
  const addSegment = () =>
    setSegments((all) => [...all, { ...firstSegment, number: Math.max(0, ...all.map((segment) => segment.number)) + 1, name: `Segment ${all.length + 1}`, colour: '#30a0ff' }])

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const project = await createProject({ name, description, labelSchema: { segments } })
      router.push(`/projects/${project.id}`)
    } catch (caught) {
      setError((caught as Error).message)
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={submit} data-testid="create-project-form" style={{ display: 'flex', flexDirection: 'column', gap: '.6rem' }}>
      <h2 style={{ margin: 0 }}>New project</h2>
      <div className="form-row">
        <label>
          Name
          <input value={name} onChange={(event) => setName(event.target.value)} required maxLength={120} data-testid="project-name" />
        </label>
        <label style={{ flex: 1 }}>
          Description
          <input value={description} onChange={(event) => setDescription(event.target.value)} maxLength={2000} style={{ width: '100%' }} data-testid="project-description" />
        </label>
      </div>
      <table data-testid="label-schema">
        <thead>
          <tr>
            <th>#</th>
            <th>Segment</th>
            <th>Colour</th>
            <th>Category (SNOMED CT code, meaning)</th>
            <th>Type (SNOMED CT code, meaning)</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {segments.map((segment, index) => (
            <tr key={index} data-testid="label-segment">
              <td>
                <input
                  type="number"
                  min={1}
                  max={255}
                  value={segment.number}
                  onChange={(event) => change(index, (s) => ({ ...s, number: Number(event.target.value) }))}
                  style={{ width: '4rem' }}
                />
              </td>
              <td>
                <input value={segment.name} onChange={(event) => change(index, (s) => ({ ...s, name: event.target.value }))} maxLength={64} data-testid="segment-name" />
              </td>
              <td>
                <input type="color" value={segment.colour} onChange={(event) => change(index, (s) => ({ ...s, colour: event.target.value }))} />
              </td>
              {(['category', 'type'] as const).map((field) => (
                <td key={field}>
                  <input
                    value={segment[field].value}
                    onChange={(event) => change(index, (s) => ({ ...s, [field]: { ...s[field], value: event.target.value.trim() } }))}
                    inputMode="numeric"
                    style={{ width: '8rem' }}
                    aria-label={`${field} code`}
                  />{' '}
                  <input
                    value={segment[field].meaning}
                    onChange={(event) => change(index, (s) => ({ ...s, [field]: { ...s[field], meaning: event.target.value } }))}
                    aria-label={`${field} meaning`}
                  />
                </td>
              ))}
              <td>
                <button type="button" onClick={() => setSegments((all) => all.filter((_, i) => i !== index))} disabled={segments.length === 1}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="form-row">
        <button type="button" onClick={addSegment} data-testid="add-segment">
          Add segment
        </button>
        <button className="primary" type="submit" disabled={busy} data-testid="create-project">
          Create project
        </button>
      </div>
      <div role="status" className="error" data-testid="create-project-error">
        {error}
      </div>
    </form>
  )
}

'use client'
import { pacsServerDtoSchema, type PacsServerDto } from './schema'

/** A configured PACS by id, as the browser may use it (read from our server; no images). */
export async function pacsById(pacsId: string): Promise<PacsServerDto> {
  const response = await fetch('/api/pacs')
  if (!response.ok) throw new Error(`The list of PACS servers could not be read (HTTP ${response.status}).`)
  const list = pacsServerDtoSchema.array().parse(await response.json())
  const pacs = list.find((candidate) => candidate.id === pacsId)
  if (!pacs) throw new Error('This PACS is no longer configured. Choose the study again from the study list.')
  return pacs
}

'use client'
import { z } from 'zod'
import { networkError, parseResponse } from './api-error'

// Requests to our own route handlers. Each answer is checked against the schema given (the
// route's DTO schema); a failed request throws an ApiError carrying the server's code and
// user-facing message, so forms can show it as it is and code can tell failures apart.

type Method = 'POST' | 'PATCH' | 'DELETE'

async function request(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw networkError()
  }
}

/** GETs a JSON answer. */
export async function getJson<S extends z.ZodType>(url: string, schema: S): Promise<z.output<S>> {
  return parseResponse(await request(url), schema)
}

/** Sends a JSON body (none when undefined); a 204 answer is null. Without a schema the answer is returned unchecked. */
export function sendJson(url: string, method: Method, body?: unknown): Promise<unknown>
export function sendJson<S extends z.ZodType>(url: string, method: Method, body: unknown, schema: S): Promise<z.output<S>>
export async function sendJson(url: string, method: Method, body?: unknown, schema: z.ZodType = z.unknown()): Promise<unknown> {
  const response = await request(url, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return parseResponse(response, schema)
}

/** POSTs a multipart form (a file upload); like sendJson otherwise. */
export function sendForm(url: string, form: FormData): Promise<unknown>
export function sendForm<S extends z.ZodType>(url: string, form: FormData, schema: S): Promise<z.output<S>>
export async function sendForm(url: string, form: FormData, schema: z.ZodType = z.unknown()): Promise<unknown> {
  return parseResponse(await request(url, { method: 'POST', body: form }), schema)
}

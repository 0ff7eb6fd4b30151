'use client'
import { useSyncExternalStore } from 'react'
import type { ReadSession, ReadSessionState } from './read-session.client'

/** The session's state, re-rendering the component on each change. */
export function useReadSession(session: ReadSession): ReadSessionState {
  return useSyncExternalStore(
    session.subscribe,
    () => session.state,
    () => session.state,
  )
}

'use client'
import { useSyncExternalStore } from 'react'
import type { Store } from './store'

/** The store's current state; the component re-renders when it changes. */
export function useStore<State extends object>(store: Store<State>): State {
  return useSyncExternalStore(
    store.subscribe,
    () => store.snapshot,
    () => store.snapshot,
  )
}

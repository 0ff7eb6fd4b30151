// A typed event emitter for the page's stores and the viewer (like tldraw's
// EventEmitter<TLEventMap>): one detail type per event name, so emit and on are checked.

export type Listener<T> = (detail: T) => void

export interface Emitter<Events extends object> {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void
  emit<K extends keyof Events>(name: K, detail: Events[K]): void
  /** Drops every listener. */
  clear(): void
}

export function createEmitter<Events extends object>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>()
  return {
    on(name, listener) {
      const set = listeners.get(name) ?? new Set()
      set.add(listener as Listener<never>)
      listeners.set(name, set)
      return () => {
        set.delete(listener as Listener<never>)
      }
    },
    emit(name, detail) {
      // A copy: a listener may unsubscribe (or subscribe) while the event is delivered.
      for (const listener of [...(listeners.get(name) ?? [])]) (listener as Listener<typeof detail>)(detail)
    },
    clear() {
      listeners.clear()
    },
  }
}

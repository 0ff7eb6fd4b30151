// A tiny typed event emitter for the workspace stores: the event map names each event and
// its payload, so `on` and `emit` are checked. Listeners run in the order they subscribed;
// one that unsubscribes (itself or another) while an event is being delivered does not
// change who gets that event.

export type Listener<T> = (payload: T) => void

export interface Emitter<Events extends object> {
  /** Subscribes; the function returned unsubscribes (calling it again does nothing). */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void
  emit<K extends keyof Events>(name: K, payload: Events[K]): void
  /** Drops every listener of every event. */
  clear(): void
}

export function createEmitter<Events extends object>(): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>()
  return {
    on(name, listener) {
      const set = listeners.get(name) ?? new Set()
      listeners.set(name, set)
      // Wrapped, so that the same function subscribed twice gets two subscriptions.
      const entry: Listener<never> = (payload) => listener(payload)
      set.add(entry)
      return () => {
        set.delete(entry)
      }
    },
    emit(name, payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) (listener as Listener<typeof payload>)(payload)
    },
    clear() {
      listeners.clear()
    },
  }
}

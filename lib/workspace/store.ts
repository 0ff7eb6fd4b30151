import { createEmitter } from '../events/emitter'

// The base of the page's stores: one immutable state object, replaced on each change and
// announced to subscribers (React reads it with useSyncExternalStore, so a snapshot must
// stay the same object until something changes).

export class Store<State extends object> {
  private state: State
  private readonly events = createEmitter<{ change: State }>()

  constructor(initial: State) {
    this.state = initial
  }

  get snapshot(): State {
    return this.state
  }

  subscribe = (listener: (state: State) => void): (() => void) => this.events.on('change', listener)

  protected update(patch: Partial<State> | ((state: State) => Partial<State>)): void {
    const changes = typeof patch === 'function' ? patch(this.state) : patch
    this.state = { ...this.state, ...changes }
    this.events.emit('change', this.state)
  }

  /** Drops every subscriber (the page is going away). */
  destroy(): void {
    this.events.clear()
  }
}

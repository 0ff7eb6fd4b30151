'use client'
import { ApiError } from '../http/api-error'
import * as readsClient from './reads.client'
import type { ExportDestination, FindingDecision, FindingProposal, ReaderFinding } from './schema'
import type { ReadDto, SignatureMeaning, StudyReference } from './types'
import { createEmitter } from '../events/emitter'

// The reads of the study in view, and the user's open read among them, as one store: the
// review panel renders it, the model panel proposes through it. Every change goes to the
// server and the read the server answers with replaces the one held here, so the state is
// always the server's last word, never a guess and never a re-fetch. Requests run one after
// another, in the order they were made, so an older answer never overwrites a newer one.

export interface ReadSessionState {
  /** Every read of the study the user may see, newest first; null until loaded. */
  reads: ReadDto[] | null
  /** The user's open read of the study, the one changes go to; null when there is none. */
  read: ReadDto | null
  /** The reads of the study are being loaded. */
  loading: boolean
  /** A change is on its way to the server. */
  busy: boolean
  /** Why the last request failed (an ApiError for the server's refusals); cleared when the next starts. */
  error: Error | null
}

export interface ReadSessionEvents {
  'state-changed': ReadSessionState
  /** The server answered with this read (opened, changed, signed or a new amendment). */
  'read-applied': ReadDto
  'request-failed': Error
}

/** The reads API the session talks to: the browser's client, or a fake in tests. */
export type ReadsApi = Pick<typeof readsClient, 'fetchReadsOfStudy' | 'openRead' | 'proposeFindings' | 'addFinding' | 'decideFinding' | 'signRead' | 'amendRead' | 'recordExport'>

export interface ReadSessionOptions {
  /** The study in view; a session is for one study. */
  study: StudyReference
  /** The signed-in user, whose open read `read` is. */
  userId: string
  api?: ReadsApi
}

export class ReadSession {
  readonly study: StudyReference
  readonly #userId: string
  readonly #api: ReadsApi
  readonly #events = createEmitter<ReadSessionEvents>()
  #state: ReadSessionState = { reads: null, read: null, loading: false, busy: false, error: null }
  #queue: Promise<unknown> = Promise.resolve()
  #changes = 0
  #loading: Promise<ReadDto[]> | null = null

  constructor({ study, userId, api = readsClient }: ReadSessionOptions) {
    this.study = study
    this.#userId = userId
    this.#api = api
  }

  get state(): ReadSessionState {
    return this.#state
  }
  get reads(): ReadDto[] | null {
    return this.#state.reads
  }
  get read(): ReadDto | null {
    return this.#state.read
  }
  get loading(): boolean {
    return this.#state.loading
  }
  get busy(): boolean {
    return this.#state.busy
  }
  get error(): Error | null {
    return this.#state.error
  }

  on<K extends keyof ReadSessionEvents>(name: K, listener: (payload: ReadSessionEvents[K]) => void): () => void {
    return this.#events.on(name, listener)
  }

  /** For useSyncExternalStore: called on every change of `state`. */
  subscribe = (listener: () => void): (() => void) => this.#events.on('state-changed', () => listener())

  /** Loads the reads of the study; a load already on its way is shared. */
  load(): Promise<ReadDto[]> {
    if (!this.#loading) {
      this.#set({ loading: true })
      this.#loading = this.#queued(async () => {
        const reads = await this.#api.fetchReadsOfStudy(this.study.studyInstanceUid)
        this.#set({ reads, read: this.#openReadIn(reads) })
        return reads
      }).finally(() => {
        this.#loading = null
        this.#set({ loading: false })
      })
    }
    return this.#loading
  }

  /** The user's open read of the study, created by the server when there is none. */
  open(): Promise<ReadDto> {
    return this.#change(async () => this.#apply(await this.#api.openRead(this.study)))
  }

  /** A model run's findings (possibly none), proposed on the open read, which is opened first when needed. */
  propose(proposal: FindingProposal): Promise<ReadDto> {
    return this.#change(async () => {
      const read = this.#state.read ?? this.#apply(await this.#api.openRead(this.study))
      return this.#apply(await this.#api.proposeFindings(read.id, proposal))
    })
  }

  /** A finding the AI missed, added to the open read. */
  addFinding(finding: ReaderFinding): Promise<ReadDto> {
    return this.#change(async () => this.#apply(await this.#api.addFinding(this.#openReadId(), finding)))
  }

  /** The reader's decision on a finding of the open read. */
  decide(findingId: string, decision: FindingDecision): Promise<ReadDto> {
    return this.#change(async () => this.#apply(await this.#api.decideFinding(this.#openReadId(), findingId, decision)))
  }

  /**
   * Signs the open read as the signer was shown it: `shownContentHash` is the contentHash of
   * the read on screen. The server checks the password again and refuses (409) when the read
   * no longer hashes to it, such as when a change sent just before has landed since. A 409
   * means the read held here is not the server's, so the reads are fetched again (to be
   * reviewed as they are) before the refusal is passed on.
   */
  sign(password: string, meaning: SignatureMeaning, shownContentHash: string): Promise<ReadDto> {
    return this.#change(async () => {
      try {
        return this.#apply(await this.#api.signRead(this.#openReadId(), password, meaning, shownContentHash))
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          // The refusal is what the signer must see; a failed reload leaves the error on it.
          const reads = await this.#api.fetchReadsOfStudy(this.study.studyInstanceUid).catch(() => null)
          if (reads) this.#set({ reads, read: this.#openReadIn(reads) })
        }
        throw error
      }
    })
  }

  /** Amends a signed read: the server's answer is the new open version. */
  amend(readId: string, reason: string): Promise<ReadDto> {
    return this.#change(async () => this.#apply(await this.#api.amendRead(readId, reason)))
  }

  /** Records an export of a signed read before the browser makes it. */
  recordExport(readId: string, destination: ExportDestination, pacsId: string | null): Promise<null> {
    return this.#change(() => this.#api.recordExport(readId, destination, pacsId))
  }

  #openReadId(): string {
    const read = this.#state.read
    if (!read) throw new Error('There is no open read of this study: start one first.')
    return read.id
  }

  #openReadIn(reads: ReadDto[]): ReadDto | null {
    return reads.find((read) => read.status === 'open' && read.reader.id === this.#userId) ?? null
  }

  /** Puts the server's read in place of the one held (a new one goes first, as the newest). */
  #apply(read: ReadDto): ReadDto {
    const held = this.#state.reads ?? []
    let reads = held.some((entry) => entry.id === read.id) ? held.map((entry) => (entry.id === read.id ? read : entry)) : [read, ...held]
    // The server links the amended original to its amendment in the same transaction.
    if (read.amendsId) reads = reads.map((entry) => (entry.id === read.amendsId ? { ...entry, amendedById: read.id } : entry))
    this.#set({ reads, read: this.#openReadIn(reads) })
    this.#events.emit('read-applied', read)
    return read
  }

  /** Runs a request after those before it; a failure is kept in `error`, announced and rethrown. */
  async #queued<T>(task: () => Promise<T>): Promise<T> {
    this.#set({ error: null })
    const result = this.#queue.then(task)
    this.#queue = result.catch(() => undefined)
    try {
      return await result
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error))
      this.#set({ error: failure })
      this.#events.emit('request-failed', failure)
      throw failure
    }
  }

  /** A change to a read: `busy` while any is on its way. */
  async #change<T>(task: () => Promise<T>): Promise<T> {
    this.#changes += 1
    this.#set({ busy: true })
    try {
      return await this.#queued(task)
    } finally {
      this.#changes -= 1
      this.#set({ busy: this.#changes > 0 })
    }
  }

  #set(change: Partial<ReadSessionState>): void {
    this.#state = { ...this.#state, ...change }
    this.#events.emit('state-changed', this.#state)
  }
}

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { defaultSessionPolicy, lastSeenDue, sessionPolicyFromEnv, sessionState } from './session-policy'

const minute = 60_000
const hour = 60 * minute
const signedIn = new Date('2026-12-01T08:00:00Z')
const at = (ms: number) => new Date(signedIn.getTime() + ms)
const policy = { maxAgeMs: 12 * hour, idleMs: 30 * minute }

describe('sessionPolicyFromEnv', () => {
  it('defaults to 12 hours absolute and 30 minutes idle', () => {
    assert.deepEqual(sessionPolicyFromEnv({}), { maxAgeMs: 12 * hour, idleMs: 30 * minute })
    assert.deepEqual(sessionPolicyFromEnv({}), defaultSessionPolicy)
  })

  it('reads PARALLAX_SESSION_MAX_HOURS and PARALLAX_SESSION_IDLE_MINUTES, fractions included', () => {
    assert.deepEqual(sessionPolicyFromEnv({ PARALLAX_SESSION_MAX_HOURS: '8', PARALLAX_SESSION_IDLE_MINUTES: '0.5' }), { maxAgeMs: 8 * hour, idleMs: 30_000 })
  })

  it('refuses values that are not positive numbers', () => {
    for (const raw of ['0', '-1', 'soon', 'Infinity']) {
      assert.throws(() => sessionPolicyFromEnv({ PARALLAX_SESSION_IDLE_MINUTES: raw }), /PARALLAX_SESSION_IDLE_MINUTES/, raw)
      assert.throws(() => sessionPolicyFromEnv({ PARALLAX_SESSION_MAX_HOURS: raw }), /PARALLAX_SESSION_MAX_HOURS/, raw)
    }
  })
})

describe('sessionState', () => {
  it('is active while used within the idle timeout and the absolute lifetime', () => {
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: signedIn, revokedAt: null }, at(29 * minute), policy), 'active')
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: at(11 * hour + 45 * minute), revokedAt: null }, at(11 * hour + 59 * minute), policy), 'active')
  })

  it('times out after 30 idle minutes', () => {
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: signedIn, revokedAt: null }, at(30 * minute), policy), 'idle')
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: at(2 * hour), revokedAt: null }, at(2 * hour + 31 * minute), policy), 'idle')
  })

  it('ends 12 hours after sign-in however busy the session is', () => {
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: at(12 * hour - 1), revokedAt: null }, at(12 * hour), policy), 'expired')
  })

  it('is over once revoked (signed out), even within both limits', () => {
    assert.equal(sessionState({ createdAt: signedIn, lastSeenAt: signedIn, revokedAt: at(minute) }, at(2 * minute), policy), 'revoked')
  })
})

describe('lastSeenDue', () => {
  it('moves lastSeenAt on at most once a minute', () => {
    const session = { createdAt: signedIn, lastSeenAt: signedIn, revokedAt: null }
    assert.equal(lastSeenDue(session, at(59_999), policy), false)
    assert.equal(lastSeenDue(session, at(minute), policy), true)
  })

  it('or every tenth of a short idle timeout', () => {
    const session = { createdAt: signedIn, lastSeenAt: signedIn, revokedAt: null }
    assert.equal(lastSeenDue(session, at(999), { maxAgeMs: hour, idleMs: 10_000 }), false)
    assert.equal(lastSeenDue(session, at(1000), { maxAgeMs: hour, idleMs: 10_000 }), true)
  })
})

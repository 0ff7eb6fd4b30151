'use client'
import { useState, type FormEvent } from 'react'
import { roleLabels, roles, type Role } from '../vocabulary/roles'
import { sendJson } from '../http/send-json.client'
import type { UserDto } from './schema'

async function callApi(url: string, method: 'POST' | 'PATCH', body: unknown): Promise<UserDto> {
  return (await sendJson(url, method, body)) as UserDto
}

export function UsersAdmin({ initialUsers, currentUserId }: { initialUsers: UserDto[]; currentUserId: string }) {
  const [users, setUsers] = useState(initialUsers)
  const [message, setMessage] = useState<{ kind: 'error' | 'notice'; text: string } | null>(null)

  async function run(action: () => Promise<UserDto>, done: string) {
    setMessage(null)
    try {
      const updated = await action()
      setUsers((current) => {
        const others = current.filter((user) => user.id !== updated.id)
        return [...others, updated].sort((a, b) => a.username.localeCompare(b.username))
      })
      setMessage({ kind: 'notice', text: done })
      return true
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message })
      return false
    }
  }

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const formElement = event.currentTarget
    const form = new FormData(formElement)
    const body = Object.fromEntries(form.entries())
    if (await run(() => callApi('/api/admin/users', 'POST', body), `Created ${String(body.username)}.`)) formElement.reset()
  }

  function resetPassword(user: UserDto) {
    const password = window.prompt(`New password for ${user.username} (at least 12 characters)`)
    if (password) void run(() => callApi(`/api/admin/users/${user.id}`, 'PATCH', { password }), `Password reset for ${user.username}; their sessions end.`)
  }

  return (
    <>
      <form className="card form-row" onSubmit={create} data-testid="create-user-form">
        <label>
          Username
          <input name="username" required data-testid="new-username" />
        </label>
        <label>
          Display name
          <input name="displayName" required data-testid="new-display-name" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="radiologist" data-testid="new-role">
            {roles.map((role) => (
              <option key={role} value={role}>
                {roleLabels[role]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Initial password
          <input name="password" type="password" minLength={12} required data-testid="new-password" />
        </label>
        <button className="primary" type="submit" data-testid="create-user">
          Create user
        </button>
      </form>
      <div role="status" className={message?.kind ?? ''} data-testid="users-message" style={{ minHeight: '1.5rem', margin: '.75rem 0' }}>
        {message?.text}
      </div>
      <table data-testid="users-table">
        <thead>
          <tr>
            <th>Username</th>
            <th>Name</th>
            <th>Role</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const self = user.id === currentUserId
            return (
              <tr key={user.id} data-testid="user-row" data-username={user.username}>
                <td>
                  {user.username}{' '}
                  {user.signIn === 'sso' && (
                    <span className="badge" title="Signs in through single sign-on; the role follows the identity provider's groups at each sign-in" data-testid="user-sso">
                      SSO
                    </span>
                  )}
                </td>
                <td>{user.displayName}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.username}`}
                    value={user.role}
                    disabled={self}
                    data-testid="user-role"
                    onChange={(event) => {
                      const role = event.target.value as Role
                      void run(() => callApi(`/api/admin/users/${user.id}`, 'PATCH', { role }), `${user.username} is now ${roleLabels[role]}.`)
                    }}
                  >
                    {roles.map((role) => (
                      <option key={role} value={role}>
                        {roleLabels[role]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{user.disabled ? <span className="badge bad">Disabled</span> : <span className="badge ok">Active</span>}</td>
                <td style={{ display: 'flex', gap: '.5rem' }}>
                  <button
                    type="button"
                    className={user.disabled ? '' : 'danger'}
                    disabled={self}
                    data-testid="user-toggle-disabled"
                    onClick={() =>
                      void run(() => callApi(`/api/admin/users/${user.id}`, 'PATCH', { disabled: !user.disabled }), `${user.username} ${user.disabled ? 'enabled' : 'disabled'}.`)
                    }
                  >
                    {user.disabled ? 'Enable' : 'Disable'}
                  </button>
                  {user.signIn === 'local' && (
                    <button type="button" data-testid="user-reset-password" onClick={() => resetPassword(user)}>
                      Reset password
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </>
  )
}

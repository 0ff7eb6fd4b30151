// Keyboard review, beside the viewer's OHIF hotkeys (none of these keys is taken there:
// review-keys.test.ts checks it).
export type ReviewCommand = 'next' | 'previous' | 'accept' | 'reject' | 'modify'

const keys: Record<string, ReviewCommand> = {
  n: 'next',
  p: 'previous',
  a: 'accept',
  x: 'reject',
  m: 'modify',
}

export const reviewKeyHelp: { keys: string; action: string }[] = [
  { keys: 'n p', action: 'next / previous finding' },
  { keys: 'a', action: 'accept the finding' },
  { keys: 'm', action: 'modify the finding' },
  { keys: 'x', action: 'reject the finding (with a reason)' },
]

export function reviewCommandForKey(key: string, modifiers: { ctrl: boolean; meta: boolean; alt: boolean }): ReviewCommand | null {
  if (modifiers.ctrl || modifiers.meta || modifiers.alt) return null
  return keys[key] ?? null
}

export const reviewKeys = Object.keys(keys)

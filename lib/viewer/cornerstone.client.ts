import 'client-only'
import { init as initCore } from '@cornerstonejs/core'
import { init as initImageLoader } from '@cornerstonejs/dicom-image-loader'
import { addTool, init as initTools } from '@cornerstonejs/tools'
import { registerGuardedFileLoader } from './guarded-loader.client'
import { authorizationFor } from './request-authorization.client'
import { toolClasses } from './tool-groups.client'

// Cornerstone is process-wide state: initialise it once per page, whatever React does
// (StrictMode mounts effects twice). Tools must be initialised before any element is
// enabled, or mouse tools silently do nothing.
let ready: Promise<void> | undefined

export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    await initCore()
    initImageLoader({
      // One decode worker per core: while a series loads the page itself is mostly idle, and
      // with cores - 1 a 2-core machine decoded on one thread.
      maxWebWorkers: Math.max(1, Math.min(8, navigator.hardwareConcurrency || 2)),
      beforeSend: (_xhr, imageId) => authorizationFor(imageId.replace(/^wadors:/, '')),
    })
    registerGuardedFileLoader()
    initTools()
    for (const toolClass of Object.values(toolClasses)) addTool(toolClass)
  })()
  return ready
}

'use client'
import { imageLoader } from '@cornerstonejs/core'
import type { StudySet } from '../dicom/study-set'
import { openingImage } from './study-set-store'

/** Cornerstone's loader, started once per page (the viewer waits on the same start). */
export const cornerstoneReady = () => import('../viewer/cornerstone.client').then((module) => module.initCornerstone())

/**
 * Asks for the image the viewer opens the set on as soon as the set is known, so that its
 * file's check and decode run while the page renders the set and the viewer builds its
 * viewport; the viewer then finds it in Cornerstone's cache, loaded or loading, and loads
 * the rest outward from it. Its failure is not reported here: the viewer's own request for
 * the same image gets it and says what was wrong.
 */
export function requestOpeningImage(set: StudySet): void {
  const imageId = openingImage(set)?.imageId
  if (!imageId) return
  cornerstoneReady()
    .then(() => imageLoader.loadAndCacheImage(imageId))
    .catch(() => undefined)
}

'use client'
import { imageLoader } from '@cornerstonejs/core'
import { wholeFileCheck } from '../dicom/ingest.client'
import type { StudySet } from '../dicom/study-set'
import { openingImage } from './study-set-store'

/** Cornerstone's loader, started once per page (the viewer waits on the same start). */
export const cornerstoneReady = () => import('../viewer/cornerstone.client').then((module) => module.initCornerstone())

/**
 * Asks for the image the viewer opens the set on, and resolves once its load is under way
 * (a dropped file checked whole first, then handed to the decoder). The page adopts the
 * set after that: rendering the set and building the viewport keep the page's thread busy
 * for a while, and the decode (the codec's start included) runs meanwhile instead of
 * after. The viewer then finds the image in Cornerstone's cache, loaded or loading, and
 * loads the rest outward from it. A failure is not reported here: the viewer's own
 * request for the same image gets it and says what was wrong.
 */
export async function startOpeningImage(set: StudySet): Promise<void> {
  const imageId = openingImage(set)?.imageId
  if (!imageId) return
  try {
    await cornerstoneReady()
    // Answered from the worker's check; the guarded loader's own call then finds it settled.
    await wholeFileCheck(imageId)
    imageLoader.loadAndCacheImage(imageId).catch(() => undefined)
    // The loader hands the file to a decode worker a few promise steps on; React renders
    // an adopted set in a microtask of its own, which would run first.
    await new Promise((resolve) => setTimeout(resolve, 0))
  } catch {
    // The viewer's own load of the image reports what went wrong.
  }
}

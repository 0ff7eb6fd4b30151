// The bench's bare Cornerstone3D page: the library used plainly, with its default loader
// settings, so `npm run bench` can compare the viewer with it in the same run. Two ways in:
//   - local files: every file registered with the wadouri file manager, every header parsed
//     by the loader, the stack sorted along the slice normal, the first image shown in a
//     StackViewport, then every image loaded (timed from the file input's change event);
//   - DICOMweb (`#wadoRoot=…&study=…&token=…`): the series from QIDO-RS, their metadata by
//     WADO-RS, the same sort, first image, then every frame by wadors (timed from page start).
// Marks: bare:files-selected (or bare:study-requested), bare:first-image, bare:series-ready.
import { init as initCore, imageLoader, metaData, RenderingEngine, Enums, type Types } from '@cornerstonejs/core'
import { init as initLoader, wadors, wadouri } from '@cornerstonejs/dicom-image-loader'
// The loader's own metadata package (a dependency of it, the same 5.14 release).
import { utilities as metadataUtilities } from '@cornerstonejs/metadata'

const hash = new URLSearchParams(location.hash.slice(1))
const token = hash.get('token')
const status = document.getElementById('status')!
const element = document.getElementById('viewport') as HTMLDivElement

async function initCornerstone(): Promise<void> {
  await initCore()
  // The PACS proxy wants the browser's token; everything else is the loader's default.
  initLoader(token ? { beforeSend: () => ({ Authorization: token }) } : {})
}

type Vector = [number, number, number]
const cross = (a: Vector, b: Vector): Vector => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
const dot = (a: Vector, b: Vector) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]

/** The image ids ordered by position along the slice normal, from the loader's metadata. */
function sortAlongNormal(imageIds: string[]): string[] {
  const planes = imageIds.map((imageId) => ({ imageId, plane: metaData.get('imagePlaneModule', imageId) as Types.ImagePlaneModule }))
  const first = planes[0]!.plane
  const normal = cross(first.rowCosines as Vector, first.columnCosines as Vector)
  return planes
    .map(({ imageId, plane }) => ({ imageId, distance: dot(plane.imagePositionPatient as Vector, normal) }))
    .sort((a, b) => a.distance - b.distance)
    .map(({ imageId }) => imageId)
}

async function show(imageIds: string[]): Promise<void> {
  const engine = new RenderingEngine('bare')
  engine.enableElement({ viewportId: 'stack', type: Enums.ViewportType.STACK, element })
  const viewport = engine.getViewport('stack') as Types.IStackViewport
  // As the viewer's mark: once the first image is drawn, on the next animation frame.
  element.addEventListener(Enums.Events.IMAGE_RENDERED, () => performance.mark('bare:first-image'), { once: true })
  await viewport.setStack(imageIds, 0)
  viewport.render()
  await Promise.all(imageIds.map((imageId) => imageLoader.loadAndCacheImage(imageId)))
  performance.mark('bare:series-ready')
  status.dataset.loaded = String(imageIds.length)
}

async function openFiles(files: File[]): Promise<void> {
  const imageIds = files.map((file) => wadouri.fileManager.add(file))
  // What the loader itself does on a file's first load (loadImageFromNaturalizedMetadata):
  // read the file, hand its Part 10 bytes to the metadata package, which parses the header.
  await Promise.all(imageIds.map(async (imageId) => metadataUtilities.addDicomPart10Instance(imageId, await wadouri.loadFileRequest(wadouri.parseImageId(imageId).url))))
  await show(sortAlongNormal(imageIds))
}

async function getJson(url: string): Promise<Record<string, { Value?: unknown[] }>[]> {
  const response = await fetch(url, { headers: { accept: 'application/dicom+json', authorization: token ?? '' } })
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
  return (await response.json()) as Record<string, { Value?: unknown[] }>[]
}

async function openStudy(wadoRoot: string, study: string): Promise<void> {
  const [, series] = await Promise.all([initCornerstone(), getJson(`${wadoRoot}/studies/${study}/series`)])
  const imageIds: string[] = []
  for (const entry of series) {
    const seriesUid = String(entry['0020000E']!.Value![0])
    for (const instance of await getJson(`${wadoRoot}/studies/${study}/series/${seriesUid}/metadata`)) {
      if (!instance['00280010']) continue
      const sopUid = String(instance['00080018']!.Value![0])
      const imageId = `wadors:${wadoRoot}/studies/${study}/series/${seriesUid}/instances/${sopUid}/frames/1`
      wadors.metaDataManager.add(imageId, instance as never)
      imageIds.push(imageId)
    }
  }
  await show(sortAlongNormal(imageIds))
}

const fail = (error: unknown) => {
  status.dataset.error = error instanceof Error ? error.message : String(error)
}
const wadoRoot = hash.get('wadoRoot')
const study = hash.get('study')
if (wadoRoot && study) {
  performance.mark('bare:study-requested')
  openStudy(wadoRoot, study).catch(fail)
} else {
  const input = document.getElementById('files') as HTMLInputElement
  input.addEventListener('change', () => {
    performance.mark('bare:files-selected')
    openFiles([...(input.files ?? [])]).catch(fail)
  })
  initCornerstone().then(() => (status.dataset.ready = 'true'), fail)
}

import 'server-only'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { generateChestPhantom } from './chest-phantom'
import { studyIdentity } from './studies'
import { writeCtSeries } from './write-ct-series'

// Demo studies for the first start: synthetic chest CTs (not patient data), written once
// into the data folder and served to signed-in users' browsers, where they are opened like
// local files. One has nodules, one has none.

export interface DemoStudy {
  key: string
  title: string
  files: string[]
}

const demos = [
  { key: 'phantom-nodules', title: 'Synthetic chest CT with two lung nodules', seed: 700_001, noduleCount: 2, diameterRange: [12, 26] as [number, number] },
  { key: 'phantom-clear', title: 'Synthetic chest CT without nodules', seed: 700_002, noduleCount: 0, diameterRange: [3, 30] as [number, number] },
]

export function demoStudiesDir(): string {
  return path.resolve(process.env.PARALLAX_DEMO_DIR ?? '.data/demo')
}

/** Writes the demo studies that are missing (atomically, folder by folder). */
export function seedDemoStudies(): string[] {
  const written: string[] = []
  for (const demo of demos) {
    const target = path.join(demoStudiesDir(), demo.key)
    if (existsSync(path.join(target, 'study.json'))) continue
    const partial = `${target}.partial`
    rmSync(partial, { recursive: true, force: true })
    mkdirSync(partial, { recursive: true })
    const phantom = generateChestPhantom({ seed: demo.seed, noduleCount: demo.noduleCount, diameterRange: demo.diameterRange })
    const files = writeCtSeries(phantom, studyIdentity(demo.seed, demo.key === 'phantom-clear' ? 'Clear' : 'Nodules')).map((bytes, index) => {
      const name = `slice${String(index + 1).padStart(3, '0')}.dcm`
      writeFileSync(path.join(partial, name), bytes)
      return name
    })
    writeFileSync(path.join(partial, 'study.json'), JSON.stringify({ key: demo.key, title: demo.title, files, nodules: phantom.nodules }, null, 2) + '\n')
    rmSync(target, { recursive: true, force: true })
    renameSync(partial, target)
    written.push(demo.key)
  }
  return written
}

export function listDemoStudies(): DemoStudy[] {
  const dir = demoStudiesDir()
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((name) => existsSync(path.join(dir, name, 'study.json')))
    .sort()
    .map((name) => {
      const { key, title, files } = JSON.parse(readFileSync(path.join(dir, name, 'study.json'), 'utf8')) as DemoStudy
      return { key, title, files }
    })
}

/** A demo file's bytes, or null for anything that is not one (no path tricks). */
export function readDemoFile(key: string, file: string): Uint8Array | null {
  const study = listDemoStudies().find((entry) => entry.key === key)
  if (!study?.files.includes(file)) return null
  return new Uint8Array(readFileSync(path.join(demoStudiesDir(), key, file)))
}

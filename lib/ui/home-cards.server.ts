import 'server-only'
import { navigationFor } from '../auth/access'
import type { SessionUser } from '../auth/session-user'
import type { Db } from '../db/client.server'
import { listProjects } from '../annotation-projects/projects.server'
import { listPacsServers } from '../dicomweb/pacs.server'
import { worklist } from '../findings/reads.server'
import { listDemoStudies } from '../synthetic/demo-studies.server'

// The home page's cards: one per page the user's role may open (the navigation's list),
// each saying what the page is for and, where there is something, what waits there.

export interface HomeCard {
  href: string
  label: string
  purpose: string
  /** What waits on the page now, in words; null where the page has nothing to count. */
  waiting: string | null
  /** The number the waiting line is about (reads, PACS servers, demo studies). */
  count: number | null
}

type Status = { waiting: string; count: number }

interface CardSource {
  purpose(user: SessionUser): string
  status?(db: Db, user: SessionUser): Promise<Status>
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`

async function pacsStatus(db: Db, user: SessionUser): Promise<Status> {
  const count = (await listPacsServers(db)).length
  if (count > 0) return { count, waiting: `${plural(count, 'PACS server')} configured.` }
  return {
    count,
    waiting: user.role === 'admin' ? 'No PACS server is configured yet: add one under PACS servers.' : 'No PACS server is configured yet: an administrator adds them.',
  }
}

const sources: Record<string, CardSource> = {
  '/worklist': {
    purpose: (user) =>
      user.role === 'researcher'
        ? 'Your open research reads, oldest first: decide what the AI proposed and annotate.'
        : 'Your open second reads, oldest first: decide what the AI found, add your own findings and sign.',
    async status(db, user) {
      const reads = await worklist(db, user)
      if (reads.length === 0) return { count: 0, waiting: 'Nothing waits for review.' }
      const pending = reads.reduce((sum, read) => sum + read.pending, 0)
      const withPending = reads.filter((read) => read.pending > 0).length
      const findings = pending > 0 ? `, ${withPending} of them with ${plural(pending, 'AI finding')} awaiting your decision` : ', no AI finding awaiting a decision'
      return { count: reads.length, waiting: `${plural(reads.length, 'open read')}${findings}.` }
    },
  },
  '/studies': {
    purpose: () => "Search a PACS for a patient's studies and open them in the viewer.",
    status: pacsStatus,
  },
  '/projects': {
    purpose: (user) =>
      ({
        researcher: 'Annotation projects: studies, a label schema and annotators; your queue, and agreement between annotators.',
        radiologist: 'Annotation projects that name you as an annotator, and your queue in each.',
        auditor: 'Every annotation project, read-only: progress per annotator and the agreement between them.',
        admin: 'Every annotation project: progress per annotator, the agreement between them, and their studies and annotators.',
      })[user.role],
    async status(db, user) {
      const count = (await listProjects(db, user)).length
      if (count > 0) return { count, waiting: `${plural(count, 'annotation project')}.` }
      return { count, waiting: user.role === 'radiologist' ? 'No annotation project names you yet.' : 'No annotation project yet.' }
    },
  },
  '/viewer': {
    purpose: () => 'Open studies from this computer or a PACS, measure, run the models and review their findings.',
    async status() {
      const count = listDemoStudies().length
      return {
        count,
        waiting:
          count > 0
            ? `${plural(count, 'synthetic demo study', 'synthetic demo studies')} ready to open, or your own DICOM files.`
            : 'Drop DICOM files, a folder or a .zip to open them.',
      }
    },
  },
  '/audit': {
    purpose: (user) =>
      user.role === 'auditor'
        ? 'The hash-chained record of who opened, changed and signed what, and how readers agree with the AI.'
        : 'The hash-chained record of who opened, changed and signed what, with its exports.',
  },
  '/admin/users': { purpose: () => 'Create accounts, set their roles and reset passwords.' },
  '/admin/pacs': { purpose: () => 'The DICOMweb servers the Studies page searches and the viewer retrieves from.', status: pacsStatus },
  '/admin/models': { purpose: () => 'The AI models this installation runs in the browser, and adding new ones.' },
}

export async function homeCards(db: Db, user: SessionUser): Promise<HomeCard[]> {
  const pages = navigationFor(user.role).filter((item) => item.href !== '/')
  return Promise.all(
    pages.map(async ({ href, label }) => {
      const source = sources[href]
      const status = source?.status ? await source.status(db, user) : null
      return { href, label, purpose: source?.purpose(user) ?? '', waiting: status?.waiting ?? null, count: status?.count ?? null }
    }),
  )
}

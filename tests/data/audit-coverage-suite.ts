// Every state-changing route and the audit events it writes, like the access matrix
// (tests/e2e/access-matrix.spec.ts) for roles: the table below is written out by hand; the
// routes are found by walking app/api/**/route.ts for POST, PUT, PATCH and DELETE exports,
// so a new route without an entry fails here, plus the GETs that change state (listed in
// stateChangingGets: the IdP's return to next-auth creates accounts and signs in). Each
// entry names the service its handler hands the change to (checked in the handler's
// source) and runs that service on the database, asserting the events appended, in order.
// next-auth's handler cannot be loaded outside Next's bundler (its providers are CommonJS
// default exports): its entries name the end-to-end specs that assert their events instead.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { AuditEventType } from '../../lib/audit/events'
import type { SessionUser } from '../../lib/auth/session-user'
import type { Db } from '../../lib/db/client.server'
import { reluManifest, reluModelBytes } from '../support/model-fixtures'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, model, box, point, studyNumbered, type ReadDto, type SecondReads } from './second-reads-context'

const stateChanging = ['POST', 'PUT', 'PATCH', 'DELETE']
/** GET handlers that change state all the same: OpenID Connect's callback is the IdP's redirect back, a GET. */
const stateChangingGets = ['GET /api/auth/[...nextauth]']
const httpMethods = ['GET', 'HEAD', 'OPTIONS', ...stateChanging]
const appDir = path.resolve(import.meta.dirname, '../../app')

/** `METHOD /api/...` for every HTTP method a route file exports, and the file's source. */
function routeHandlers(): { handler: string; source: string }[] {
  const found: { handler: string; source: string }[] = []
  const walk = (dir: string, segments: string[]) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        const isGroup = entry.name.startsWith('(') && entry.name.endsWith(')')
        walk(path.join(dir, entry.name), isGroup ? segments : [...segments, entry.name])
      } else if (entry.name === 'route.ts') {
        const source = readFileSync(path.join(dir, entry.name), 'utf8')
        const names = [
          ...[...source.matchAll(/export\s+(?:async\s+)?(?:const|let|function)\s+(\w+)/g)].map((match) => match[1]!),
          ...[...source.matchAll(/export\s+(?:const|let)\s*\{([^}]*)\}/g), ...source.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((match) =>
            match[1]!.split(',').map((name) =>
              name
                .trim()
                .split(/\s+as\s+|\s*:\s*/)
                .at(-1)!,
            ),
          ),
        ]
        const methods = names.filter((name) => httpMethods.includes(name))
        assert.ok(methods.length > 0, `${path.relative(appDir, dir)}/route.ts: no HTTP method export recognised (names: ${names.join(', ')})`)
        for (const method of methods) found.push({ handler: `${method} /${segments.join('/')}`, source })
      }
    }
  }
  walk(appDir, [])
  return found
}

interface Fixture {
  m: Modules
  db: Db
  admin: SessionUser
  radiologist: SessionUser
  colleague: SessionUser
  auditor: SessionUser
  researcher: SessionUser
  /** Set as the entries run, in order: what each leaves for the next. */
  targetUserId: string
  pacsId: string
  read: ReadDto
  signedId: string
  project: ProjectDto
}

type ProjectDto = Awaited<ReturnType<Modules['projects']['getProject']>>
const coverageSeg = (n: number) => ({ segSopInstanceUid: `1.2.826.0.1.3680043.8.498.6100${n}`, segSha256: String(n).repeat(64), storedAt: 'download' as const, pacsId: null })
const coverageFigures = [{ segmentNumber: 1, voxels: 10, volumeMl: 0.02, correctionDice: null, aiModel: null }]
const coverageTask = (f: Fixture, user: SessionUser) => f.project.studies[0]!.tasks.find((task) => task.annotator.id === user.id)!

interface Entry {
  /** The service the route's handler calls (its name appears in the handler's source). */
  service: string
  /** The audit events the exercise appends, in order. */
  events: AuditEventType[]
  /** Runs the service on the database, or names the spec (under tests/e2e) that drives the route and asserts each event. */
  exercise: ((f: Fixture) => Promise<unknown>) | { spec: string }
}

const coverage: Record<string, Entry> = {
  'POST /api/admin/users': {
    service: 'createUser',
    events: ['user-created'],
    exercise: async (f) => {
      const user = await f.m.users.createUser(f.db, { username: 'coverage-user', displayName: 'Coverage User', role: 'researcher', password: 'coverage password 1' }, f.admin, ip)
      f.targetUserId = user.id
    },
  },
  'PATCH /api/admin/users/[id]': {
    service: 'updateUser',
    events: ['role-changed', 'user-disabled', 'user-enabled', 'password-reset'],
    exercise: async (f) => {
      await f.m.users.updateUser(f.db, f.targetUserId, { role: 'auditor' }, f.admin, ip)
      await f.m.users.updateUser(f.db, f.targetUserId, { disabled: true }, f.admin, ip)
      await f.m.users.updateUser(f.db, f.targetUserId, { disabled: false }, f.admin, ip)
      await f.m.users.updateUser(f.db, f.targetUserId, { password: 'coverage password 2' }, f.admin, ip)
    },
  },
  'POST /api/admin/pacs': {
    service: 'createPacsServer',
    events: ['pacs-configured'],
    exercise: async (f) => {
      const pacs = await f.m.pacs.createPacsServer(f.db, { name: 'Coverage PACS', qidoRoot: 'http://127.0.0.1:9/dicom-web', wadoRoot: 'http://127.0.0.1:9/dicom-web' }, f.admin, ip)
      f.pacsId = pacs.id
    },
  },
  'PATCH /api/admin/pacs/[id]': {
    service: 'updatePacsServer',
    events: ['pacs-configured'],
    exercise: (f) => f.m.pacs.updatePacsServer(f.db, f.pacsId, { name: 'Coverage PACS, renamed' }, f.admin, ip),
  },
  'POST /api/pacs/[id]/token': {
    service: 'issuePacsToken',
    events: ['pacs-token-issued'],
    exercise: (f) => f.m.pacsAccess.issuePacsToken(f.db, f.radiologist, f.pacsId, 'write', ip),
  },
  'DELETE /api/admin/pacs/[id]': {
    service: 'deletePacsServer',
    events: ['pacs-removed'],
    exercise: (f) => f.m.pacs.deletePacsServer(f.db, f.pacsId, f.admin, ip),
  },
  'POST /api/admin/models': {
    service: 'registerModel',
    events: ['model-added'],
    exercise: (f) => f.m.models.registerModel(f.db, { manifest: reluManifest({ id: 'coverage-by-url' }), bytes: reluModelBytes }, f.admin, 'admin-url', ip),
  },
  'POST /api/admin/models/upload': {
    service: 'registerModel',
    events: ['model-added'],
    exercise: (f) => f.m.models.registerModel(f.db, { manifest: reluManifest({ id: 'coverage-upload' }), bytes: reluModelBytes }, f.admin, 'admin-upload', ip),
  },
  'POST /api/auth/[...nextauth]': {
    service: 'nextAuthRoute',
    events: ['login-failed', 'login', 'logout'],
    exercise: { spec: 'audit-coverage.spec.ts' },
  },
  // The just-in-time account's role change at a later sign-in (role-changed) is asserted on
  // the database by tests/data/sso-suite.ts.
  'GET /api/auth/[...nextauth]': {
    service: 'nextAuthRoute',
    events: ['user-created', 'sso-login', 'sso-login-failed'],
    exercise: { spec: 'oidc.spec.ts' },
  },
  'POST /api/audit/checkpoints': {
    service: 'signCheckpointsOnRequest',
    events: ['audit-checkpoint-requested'],
    exercise: (f) => f.m.checkpointRequest.signCheckpointsOnRequest(f.db, f.auditor, ip),
  },
  'POST /api/audit/client-events': {
    service: 'recordClientEvent',
    events: ['study-opened', 'study-query', 'inference-run', 'seg-exported'],
    exercise: async (f) => {
      const uid = '1.2.826.0.1.3680043.8.498.60001'
      await f.m.clientEvents.recordClientEvent(f.db, f.radiologist, ip, {
        type: 'study-opened',
        source: 'local',
        studyInstanceUid: uid,
        seriesInstanceUids: [`${uid}.1`],
        instanceCount: 4,
      })
      await f.m.clientEvents.recordClientEvent(f.db, f.radiologist, ip, { type: 'study-query', pacsId: 'pacs-1', filterKeys: ['modality'], resultCount: 2 })
      await f.m.clientEvents.recordClientEvent(f.db, f.radiologist, ip, {
        type: 'inference-run',
        model,
        seriesInstanceUid: `${uid}.1`,
        executionProvider: 'wasm',
        durationMs: 12,
        outcome: 'success',
      })
      await f.m.clientEvents.recordClientEvent(f.db, f.radiologist, ip, {
        type: 'seg-exported',
        destination: 'download',
        studyInstanceUid: uid,
        seriesInstanceUid: `${uid}.1`,
        segSopInstanceUid: `${uid}.9`,
        sha256: 'd'.repeat(64),
        segmentCount: 1,
      })
    },
  },
  'POST /api/reads': {
    service: 'openReadFor',
    events: ['read-opened'],
    exercise: async (f) => {
      f.read = await f.m.reads.openReadFor(f.db, f.radiologist, ip, studyNumbered(60001))
    },
  },
  'POST /api/reads/[id]/findings': {
    service: 'proposeFindings',
    events: ['model-result-recorded', 'finding-proposed', 'finding-added'],
    exercise: async (f) => {
      await f.m.reads.proposeFindings(f.db, f.radiologist, ip, f.read.id, {
        model,
        executionProvider: 'wasm',
        explanationMethod: null,
        findings: [{ label: 'Lung nodule', location: box, measurementMm: 7, probability: 0.8 }],
      })
      f.read = await f.m.reads.addReaderFinding(f.db, f.radiologist, ip, f.read.id, { label: 'Other', location: point, measurementMm: null, note: null })
    },
  },
  'PATCH /api/reads/[id]/findings/[findingId]': {
    service: 'decideFinding',
    events: ['finding-accepted'],
    exercise: async (f) => {
      f.read = await f.m.reads.decideFinding(f.db, f.radiologist, ip, f.read.id, f.read.findings[0]!.id, { action: 'accept' })
    },
  },
  'POST /api/reads/[id]/signature': {
    service: 'signRead',
    events: ['read-signed'],
    exercise: async (f) => {
      f.signedId = (await f.m.reads.signRead(f.db, ip, f.read.id, { meaning: 'approval', signer: f.radiologist, shownContentHash: f.read.contentHash })).id
    },
  },
  'POST /api/reads/[id]/amendments': {
    service: 'amendRead',
    events: ['read-amended'],
    exercise: (f) => f.m.reads.amendRead(f.db, f.colleague, ip, f.signedId, 'Coverage amendment.'),
  },
  'POST /api/reads/[id]/exports': {
    service: 'recordReadExport',
    events: ['read-exported'],
    exercise: (f) => f.m.reads.recordReadExport(f.db, f.radiologist, ip, f.signedId, 'download', null),
  },
  'POST /api/projects': {
    service: 'createProject',
    events: ['annotation-project-created'],
    exercise: async (f) => {
      const segment = {
        number: 1,
        name: 'Lesion',
        colour: '#ff0000',
        category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically abnormal structure' },
        type: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
      } as const
      f.project = await f.m.projects.createProject(f.db, f.researcher, ip, { name: 'Coverage project', description: '', labelSchema: { segments: [segment] } })
    },
  },
  'PATCH /api/projects/[id]': {
    service: 'updateProject',
    events: ['annotation-project-updated'],
    exercise: (f) => f.m.projects.updateProject(f.db, f.researcher, ip, f.project.id, { description: 'Covered.' }),
  },
  'POST /api/projects/[id]/studies': {
    service: 'addStudies',
    events: ['annotation-studies-added'],
    exercise: (f) =>
      f.m.projects.addStudies(f.db, f.researcher, ip, f.project.id, {
        studies: [{ studyInstanceUid: '1.2.826.0.1.3680043.8.498.61001', studyDescription: '', pacsId: null, queueScore: null }],
      }),
  },
  'POST /api/projects/[id]/annotators': {
    service: 'addAnnotators',
    events: ['annotation-annotators-added', 'annotation-tasks-assigned'],
    exercise: async (f) => {
      const annotators = [f.researcher, f.radiologist].map((user) => ({ username: user.username, role: 'annotator' as const }))
      f.project = await f.m.projects.addAnnotators(f.db, f.researcher, ip, f.project.id, { annotators })
    },
  },
  'POST /api/projects/[id]/tasks/[taskId]/open': {
    service: 'openTask',
    events: ['annotation-study-opened'],
    exercise: (f) => f.m.projects.openTask(f.db, f.radiologist, ip, f.project.id, coverageTask(f, f.radiologist).id),
  },
  'POST /api/projects/[id]/tasks/[taskId]/submission': {
    service: 'submitAnnotation',
    events: ['annotation-submitted', 'annotation-seg-exported', 'annotation-submitted', 'annotation-seg-exported'],
    exercise: async (f) => {
      await f.m.projects.submitAnnotation(f.db, f.radiologist, ip, f.project.id, coverageTask(f, f.radiologist).id, { ...coverageSeg(1), figures: coverageFigures })
      await f.m.projects.submitAnnotation(f.db, f.researcher, ip, f.project.id, coverageTask(f, f.researcher).id, { ...coverageSeg(2), figures: coverageFigures })
      f.project = await f.m.projects.getProject(f.db, f.researcher, f.project.id)
    },
  },
  'POST /api/projects/[id]/agreement': {
    service: 'recordAgreement',
    events: ['agreement-computed'],
    exercise: (f) => {
      const [a, b] = f.project.studies[0]!.tasks.map((task) => task.submission!.id)
      const record = { studyId: f.project.studies[0]!.id, segmentNumber: 1, submissionAId: a!, submissionBId: b!, dice: 1, jaccard: 1, hd95Mm: 0, assdMm: 0, volumeDifferenceMl: 0 }
      return f.m.projects.recordAgreement(f.db, f.researcher, ip, f.project.id, [record])
    },
  },
  'POST /api/projects/[id]/consensus': {
    service: 'recordConsensus',
    events: ['consensus-made', 'annotation-seg-exported'],
    exercise: (f) =>
      f.m.projects.recordConsensus(f.db, f.researcher, ip, f.project.id, {
        studyId: f.project.studies[0]!.id,
        method: 'majority',
        submissionIds: f.project.studies[0]!.tasks.map((task) => task.submission!.id),
        ...coverageSeg(3),
      }),
  },
}

export function defineAuditCoverageTests(c: DataLayerContext, getReads: () => SecondReads): void {
  describe('audit coverage of state-changing routes', () => {
    const fixture = {} as Fixture
    let store: string

    before(() => {
      const { radiologist, colleague, auditor, researcher } = getReads().readers
      Object.assign(fixture, { m: c.m, db: c.db, admin: c.admin, radiologist, colleague, auditor, researcher })
      store = mkdtempSync(path.join(tmpdir(), 'parallax-coverage-models-'))
      process.env.PARALLAX_MODEL_STORE = store
    })
    after(() => {
      delete process.env.PARALLAX_MODEL_STORE
      rmSync(store, { recursive: true, force: true })
    })

    it('every state-changing route in app/ has an entry, and every entry a route', () => {
      const handlers = routeHandlers().map((route) => route.handler)
      for (const handler of stateChangingGets) assert.ok(handlers.includes(handler), `${handler} is a route in app/`)
      const inApp = [...handlers.filter((handler) => stateChanging.includes(handler.split(' ')[0]!)), ...stateChangingGets]
      assert.deepEqual([...new Set(inApp)].sort(), Object.keys(coverage).sort())
    })

    it("each route's handler hands the change to the service its entry names", () => {
      const sources = new Map(routeHandlers().map((route) => [route.handler, route.source]))
      for (const [handler, entry] of Object.entries(coverage)) {
        assert.match(sources.get(handler) ?? '', new RegExp(`\\b${entry.service}\\b`), `${handler} calls ${entry.service}`)
      }
    })

    for (const [handler, entry] of Object.entries(coverage)) {
      const { exercise } = entry
      if (typeof exercise !== 'function') {
        it(`${handler} writes ${entry.events.join(', ')} (asserted by tests/e2e/${exercise.spec})`, () => {
          const spec = readFileSync(path.resolve(import.meta.dirname, '../e2e', exercise.spec), 'utf8')
          assert.ok(spec.includes(`'${handler}`) || spec.includes(handler), `the spec names ${handler}`)
          // The spec reads the trail by type: ofType('x'), or an events query (or its part) starting type=x.
          const readsType = (type: string) => new RegExp(`ofType\\('${type}'\\)|[?&'"\\x60]type=${type}(?![\\w-])`)
          for (const type of entry.events) assert.match(spec, readsType(type), `the spec asserts ${type}`)
        })
        continue
      }
      it(`${handler} writes ${entry.events.join(', ')}`, async () => {
        const head = (await c.lastAudit())[0]!.seq
        await exercise(fixture)
        const written = await c.db.auditEvent.findMany({ where: { seq: { gt: head } }, orderBy: { seq: 'asc' }, select: { eventType: true } })
        assert.deepEqual(
          written.map((event) => event.eventType),
          entry.events,
        )
      })
    }
  })
}

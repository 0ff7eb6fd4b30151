// Annotation projects on the database: a researcher's project with two annotators and two
// studies, blinded queues, submissions that keep only the SEG's UID, hash and figures,
// agreement records that lift the blinding, consensus, who is refused, and each change's
// audit events in its transaction (a change whose event cannot be written leaves neither).
// Runs after the second reads (it uses their readers) on the database they leave.
import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { SessionUser } from '../../lib/auth/session-user'
import type { DataLayerContext, Modules } from './data-layer-context'
import { ip, type SecondReads } from './second-reads-context'

type Projects = Modules['projects']
type ProjectDto = Awaited<ReturnType<Projects['getProject']>>

const labelSchema = {
  segments: [
    {
      number: 1,
      name: 'Lesion',
      colour: '#ff3030',
      category: { scheme: 'SCT' as const, value: '49755003', meaning: 'Morphologically abnormal structure' },
      type: { scheme: 'SCT' as const, value: '52988006', meaning: 'Lesion' },
    },
    {
      number: 2,
      name: 'Liver',
      colour: '#30a0ff',
      category: { scheme: 'SCT' as const, value: '123037004', meaning: 'Anatomical structure' },
      type: { scheme: 'SCT' as const, value: '10200004', meaning: 'Liver' },
    },
  ],
}
const studyA = '1.2.826.0.1.3680043.8.498.70001'
const studyB = '1.2.826.0.1.3680043.8.498.70002'
const segUid = (n: number) => `1.2.826.0.1.3680043.8.498.79${n}`
const sha = (c: string) => c.repeat(64)
const figures = [
  { segmentNumber: 1, voxels: 1200, volumeMl: 2.4, correctionDice: 0.82, aiModel: { id: 'lesion-seg-2d', version: '1.2.0' } },
  { segmentNumber: 2, voxels: 90000, volumeMl: 180, correctionDice: null, aiModel: null },
]
const submission = (n: number) => ({ segSopInstanceUid: segUid(n), segSha256: sha(String(n % 10)), storedAt: 'download' as const, pacsId: null, figures })
const numbers = { dice: 0.91, jaccard: 0.8348623853, hd95Mm: 1.5, assdMm: 0.42, volumeDifferenceMl: -0.12 }

export function defineAnnotationProjectTests(c: DataLayerContext, getReads: () => SecondReads): void {
  describe('annotation projects', () => {
    let p: Projects
    let researcher: SessionUser
    let radiologist: SessionUser
    let auditor: SessionUser
    let outsider: SessionUser
    let project: ProjectDto
    const headSeq = async () => (await c.lastAudit())[0]!.seq
    const eventsSince = async (seq: number) => c.db.auditEvent.findMany({ where: { seq: { gt: seq } }, orderBy: { seq: 'asc' } })
    const taskOf = (dto: ProjectDto, uid: string, user: SessionUser) =>
      dto.studies.find((study) => study.studyInstanceUid === uid)!.tasks.find((task) => task.annotator.id === user.id)!

    before(async () => {
      p = c.m.projects
      ;({ researcher, radiologist, auditor } = getReads().readers)
      const created = await c.m.users.createUser(
        c.db,
        { username: 'outside-researcher', displayName: 'Outside Researcher', role: 'researcher', password: 'outside researcher password' },
        c.admin,
      )
      outsider = { id: created.id, username: created.username, displayName: created.displayName, role: 'researcher' }
    })

    it('a researcher creates a project, audited in the same transaction', async () => {
      const head = await headSeq()
      project = await p.createProject(c.db, researcher, ip, { name: 'Liver lesions', description: 'Two readers, two studies.', labelSchema })
      assert.equal(project.access, 'owner')
      assert.equal(project.status, 'active')
      assert.deepEqual(project.labelSchema, labelSchema)
      const events = await eventsSince(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.action, event.actorId]),
        [['annotation-project-created', '110111', 'C', researcher.id]],
      )
      assert.deepEqual(JSON.parse(events[0]!.entities), [{ type: 'project', id: project.id }])
    })

    it('adds two studies and two annotators: one task per annotator and study, study UIDs hashed in the trail', async () => {
      const head = await headSeq()
      await p.addStudies(c.db, researcher, ip, project.id, {
        studies: [
          { studyInstanceUid: studyA, studyDescription: 'CT abdomen', pacsId: null, queueScore: { score: 0.2, modelId: 'lesion-seg-2d', modelVersion: '1.2.0' } },
          { studyInstanceUid: studyB, studyDescription: 'CT abdomen', pacsId: null, queueScore: { score: 0.7, modelId: 'lesion-seg-2d', modelVersion: '1.2.0' } },
        ],
      })
      project = await p.addAnnotators(c.db, researcher, ip, project.id, {
        annotators: [
          { username: researcher.username, role: 'annotator' },
          { username: radiologist.username, role: 'annotator' },
        ],
      })
      assert.equal(project.studies.length, 2)
      const byAnnotator = [researcher.id, radiologist.id].sort()
      for (const study of project.studies) {
        assert.deepEqual(study.tasks.map((task) => task.annotator.id).sort(), byAnnotator)
        assert.deepEqual(new Set(study.tasks.map((task) => task.status)), new Set(['open']))
      }
      const events = await eventsSince(head)
      // No annotators yet when the studies came: their tasks are assigned with the annotators.
      assert.deepEqual(
        events.map((event) => event.eventType),
        ['annotation-studies-added', 'annotation-annotators-added', 'annotation-tasks-assigned'],
      )
      const trail = events.map((event) => event.entities + event.details).join()
      assert.ok(!trail.includes(studyA) && !trail.includes(studyB), 'study UIDs never appear in the trail as they are')
      assert.equal(JSON.parse(events[2]!.details).taskCount, 4)
    })

    it('refuses what roles and membership do not allow', async () => {
      await c.assertAppError(p.createProject(c.db, radiologist, ip, { name: 'x', description: '', labelSchema }), 'forbidden:projects')
      await c.assertAppError(p.createProject(c.db, auditor, ip, { name: 'x', description: '', labelSchema }), 'forbidden:projects')
      // A member who does not manage it, and an auditor, see the project but change nothing.
      await c.assertAppError(
        p.addStudies(c.db, radiologist, ip, project.id, { studies: [{ studyInstanceUid: '1.2.3', studyDescription: '', pacsId: null, queueScore: null }] }),
        'forbidden:projects',
      )
      await c.assertAppError(p.updateProject(c.db, auditor, ip, project.id, { status: 'closed' }), 'forbidden:projects')
      await c.assertAppError(p.recordAgreement(c.db, auditor, ip, project.id, []), 'forbidden:projects')
      // A researcher outside it is told there is no such project.
      await c.assertAppError(p.getProject(c.db, outsider, project.id), 'not_found:projects')
      await c.assertAppError(p.annotatorQueue(c.db, outsider, project.id, 'added'), 'not_found:projects')
      // Auditors cannot annotate; managers are researchers; nobody is added twice.
      await c.assertAppError(p.addAnnotators(c.db, researcher, ip, project.id, { annotators: [{ username: auditor.username, role: 'annotator' }] }), 'bad_request:projects')
      await c.assertAppError(p.addAnnotators(c.db, researcher, ip, project.id, { annotators: [{ username: radiologist.username, role: 'manager' }] }), 'bad_request:projects')
      await c.assertAppError(p.addAnnotators(c.db, researcher, ip, project.id, { annotators: [{ username: radiologist.username, role: 'annotator' }] }), 'conflict:projects')
      assert.deepEqual(
        (await p.listProjects(c.db, outsider)).map((summary) => summary.id),
        [],
      )
      assert.ok((await p.listProjects(c.db, auditor)).some((summary) => summary.id === project.id && summary.access === 'auditor'))
      assert.ok((await p.listProjects(c.db, radiologist)).some((summary) => summary.id === project.id && summary.access === 'annotator'))
    })

    it("each annotator's queue holds only their own tasks, optionally most uncertain first", async () => {
      const queue = await p.annotatorQueue(c.db, radiologist, project.id, 'added')
      assert.deepEqual(
        queue.map((entry) => entry.study.studyInstanceUid),
        [studyA, studyB],
      )
      const ids = new Set(project.studies.flatMap((study) => study.tasks.filter((task) => task.annotator.id === radiologist.id).map((task) => task.id)))
      assert.deepEqual(new Set(queue.map((entry) => entry.taskId)), ids)
      assert.deepEqual(
        (await p.annotatorQueue(c.db, radiologist, project.id, 'uncertainty')).map((entry) => entry.study.studyInstanceUid),
        [studyB, studyA],
      )
    })

    it('opening a task writes 110103 and moves it in progress; only its annotator may open it', async () => {
      const task = taskOf(project, studyA, radiologist)
      await c.assertAppError(p.openTask(c.db, researcher, ip, project.id, task.id), 'not_found:projects')
      const head = await headSeq()
      const session = await p.openTask(c.db, radiologist, ip, project.id, task.id)
      assert.equal(session.task.status, 'in-progress')
      assert.equal(session.task.study.studyInstanceUid, studyA)
      assert.deepEqual(session.labelSchema, labelSchema)
      const events = await eventsSince(head)
      assert.deepEqual(
        events.map((event) => [event.eventType, event.eventCode, event.action, event.actorId]),
        [['annotation-study-opened', '110103', 'R', radiologist.id]],
      )
    })

    it('a submission stores the UID, hash, destination and figures only, with its events; it is final', async () => {
      const task = taskOf(project, studyA, radiologist)
      const head = await headSeq()
      const entry = await p.submitAnnotation(c.db, radiologist, ip, project.id, task.id, submission(1))
      assert.equal(entry.status, 'submitted')
      assert.deepEqual(entry.submission?.figures, figures)
      const row = await c.db.annotationSubmission.findUniqueOrThrow({ where: { taskId: task.id } })
      assert.deepEqual(Object.keys(row).sort(), ['figures', 'id', 'pacsId', 'segSha256', 'segSopInstanceUid', 'storedAt', 'submittedAt', 'taskId'])
      assert.deepEqual(
        (await eventsSince(head)).map((event) => [event.eventType, event.eventCode]),
        [
          ['annotation-submitted', '110111'],
          ['annotation-seg-exported', '110106'],
        ],
      )
      await c.assertAppError(p.submitAnnotation(c.db, radiologist, ip, project.id, task.id, submission(2)), 'conflict:projects')
      // Segments outside the label schema, and a PACS the study is not on, are refused.
      const other = taskOf(project, studyB, radiologist)
      await c.assertAppError(
        p.submitAnnotation(c.db, radiologist, ip, project.id, other.id, { ...submission(3), figures: [{ ...figures[1]!, segmentNumber: 9 }] }),
        'bad_request:projects',
      )
      await c.assertAppError(p.submitAnnotation(c.db, radiologist, ip, project.id, other.id, { ...submission(3), storedAt: 'pacs', pacsId: 'somepacs' }), 'bad_request:projects')
      await c.assertRefusedInTransaction('changing a submission', (tx) => tx.annotationSubmission.update({ where: { id: row.id }, data: { segSha256: sha('f') } }), /append-only/)
      await c.assertRefusedInTransaction('deleting a submission', (tx) => tx.annotationSubmission.delete({ where: { id: row.id } }), /append-only/)
    })

    it("annotating is blinded: an annotator never sees the others' tasks or submissions before agreement", async () => {
      await p.submitAnnotation(c.db, researcher, ip, project.id, taskOf(project, studyA, researcher).id, submission(4))
      // The researcher owns the project, so sees everything; the radiologist is an annotator only.
      const asRadiologist = await p.getProject(c.db, radiologist, project.id)
      assert.equal(asRadiologist.blinded, true)
      for (const study of asRadiologist.studies) assert.deepEqual([...new Set(study.tasks.map((task) => task.annotator.id))], [radiologist.id])
      assert.ok(!JSON.stringify(asRadiologist).includes(segUid(4)), "the owner's SEG UID is not shown to the radiologist")
      // Progress counts are not blinded: they say how far each is, not what they drew.
      assert.deepEqual(
        asRadiologist.annotators.map((annotator) => annotator.submitted),
        [1, 1],
      )
      const asAuditor = await p.getProject(c.db, auditor, project.id)
      assert.equal(asAuditor.blinded, false)
      assert.equal(asAuditor.canManage, false)
      assert.ok(JSON.stringify(asAuditor).includes(segUid(4)))
    })

    it('agreement records: checked against the submissions, a failing audit write leaves neither, then the blinding lifts', async () => {
      project = await p.getProject(c.db, researcher, project.id)
      const study = project.studies.find((candidate) => candidate.studyInstanceUid === studyA)!
      const [a, b] = study.tasks.map((task) => task.submission!.id)
      const records = [1, 2].map((segmentNumber) => ({ ...numbers, studyId: study.id, segmentNumber, submissionAId: a!, submissionBId: b! }))
      const otherStudy = project.studies.find((candidate) => candidate.studyInstanceUid === studyB)!
      await c.assertAppError(p.recordAgreement(c.db, researcher, ip, project.id, [{ ...records[0]!, studyId: otherStudy.id }]), 'bad_request:projects')
      await c.assertAppError(p.recordAgreement(c.db, researcher, ip, project.id, [{ ...records[0]!, segmentNumber: 7 }]), 'bad_request:projects')

      const before = await c.db.agreementRecord.count()
      const head = await headSeq()
      await c.withAuditInsertsFailing(async () => {
        await assert.rejects(p.recordAgreement(c.db, researcher, ip, project.id, records))
      })
      assert.equal(await c.db.agreementRecord.count(), before, 'no records without their event')
      assert.equal((await c.db.annotationProject.findUniqueOrThrow({ where: { id: project.id } })).unblindedAt, null)
      assert.equal(await headSeq(), head)

      project = await p.recordAgreement(c.db, researcher, ip, project.id, records)
      assert.equal(project.agreements.length, 2)
      assert.deepEqual(
        project.agreements.map((record) => [record.segmentNumber, record.dice, record.hd95Mm, [record.annotatorA.id, record.annotatorB.id].sort()]),
        [
          [1, 0.91, 1.5, [researcher.id, radiologist.id].sort()],
          [2, 0.91, 1.5, [researcher.id, radiologist.id].sort()],
        ],
      )
      const [event] = await eventsSince(head)
      assert.deepEqual([event!.eventType, event!.eventCode, JSON.parse(event!.details)], ['agreement-computed', '110111', { recordCount: 2, segments: '1,2' }])

      // A recomputation supersedes: the newest record per study, segment and pair is shown.
      project = await p.recordAgreement(c.db, researcher, ip, project.id, [{ ...records[0]!, dice: 0.93, hd95Mm: null, assdMm: null }])
      assert.deepEqual(
        project.agreements.map((record) => [record.segmentNumber, record.dice, record.hd95Mm]),
        [
          [1, 0.93, null],
          [2, 0.91, 1.5],
        ],
      )
      const asRadiologist = await p.getProject(c.db, radiologist, project.id)
      assert.equal(asRadiologist.blinded, false)
      assert.ok(JSON.stringify(asRadiologist).includes(segUid(4)), "after agreement, annotators see each other's submissions")
    })

    it('a consensus records its method, inputs and SEG, with its events', async () => {
      const study = project.studies.find((candidate) => candidate.studyInstanceUid === studyA)!
      const ids = study.tasks.map((task) => task.submission!.id)
      await c.assertAppError(
        p.recordConsensus(c.db, researcher, ip, project.id, { studyId: study.id, method: 'staple', submissionIds: [ids[0]!, ids[0]!], ...submission(5) }),
        'bad_request:projects',
      )
      const head = await headSeq()
      const { figures: _figures, ...seg } = submission(5)
      project = await p.recordConsensus(c.db, researcher, ip, project.id, { studyId: study.id, method: 'staple', submissionIds: ids, ...seg })
      assert.deepEqual(
        project.consensus.map((record) => [record.method, record.segSopInstanceUid, record.submissionIds]),
        [['staple', segUid(5), ids]],
      )
      assert.deepEqual(
        (await eventsSince(head)).map((event) => [event.eventType, JSON.parse(event.details).kind ?? null]),
        [
          ['consensus-made', null],
          ['annotation-seg-exported', 'consensus'],
        ],
      )
    })

    it('a closed project takes no more submissions, and its closing is audited', async () => {
      const head = await headSeq()
      project = await p.updateProject(c.db, researcher, ip, project.id, { status: 'closed' })
      assert.equal(project.status, 'closed')
      assert.deepEqual(
        (await eventsSince(head)).map((event) => [event.eventType, JSON.parse(event.details).changed]),
        [['annotation-project-updated', 'status']],
      )
      await c.assertAppError(p.submitAnnotation(c.db, radiologist, ip, project.id, taskOf(project, studyB, radiologist).id, submission(6)), 'conflict:projects')
    })
  })
}

import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { cohensKappa } from '../../lib/findings/reader-agreement'
import type { ReadDto } from '../../lib/findings/types'
import { generateChestPhantom } from '../../lib/synthetic/chest-phantom'
import { studyIdentity } from '../../lib/synthetic/studies'
import { demoAccount } from '../support/accounts'
import { apiSession } from '../support/api'
import { dciodvfyFile, missingDciodvfy } from '../support/dciodvfy'
import { signInBrowser } from '../support/browser'
import { writePhantomStudy } from '../support/phantom-study'
import { pixelLeak, recordRequests } from '../support/request-log'
import { ViewerPage } from '../pages/viewer-page'

// A second read across roles: the radiologist reviews the AI's findings on a generated
// study (accept, modify, reject with a reason, add a missed one) with the keyboard, signs
// with the password and exports the DICOM SR; a researcher's attempt to sign is refused
// and audited; the auditor sees every event in order with its codes, a verified chain,
// agreement figures that moved by exactly this read, and CSV and FHIR exports; the signed
// read cannot change, and its amendment keeps and links the original.

const seed = 900_201

interface ModelRow {
  accepted: number
  modified: number
  rejected: number
  added: number
}

async function agreementCounts(auditor: APIRequestContext): Promise<ModelRow & { neither: number }> {
  const response = await auditor.get('/api/audit/statistics')
  expect(response.status()).toBe(200)
  const report = (await response.json()) as { models: (ModelRow & { modelId: string; table: { neither: number } })[] }
  const row = report.models.find((model) => model.modelId.startsWith('lesion-seg-2d@'))
  return row
    ? { accepted: row.accepted, modified: row.modified, rejected: row.rejected, added: row.added, neither: row.table.neither }
    : { accepted: 0, modified: 0, rejected: 0, added: 0, neither: 0 }
}

/** Review keys act when no form control has the focus. */
async function blurControls(page: Page) {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
}

async function selectedFinding(page: Page) {
  return page.locator('[data-testid="finding"][data-selected="true"]')
}

test.describe('second read across roles', () => {
  test.describe.configure({ timeout: 400_000 })

  test('review, sign, refuse a researcher, audit, export, amend', async ({ browser, baseURL }) => {
    const phantom = generateChestPhantom({ seed, noduleCount: 3, diameterRange: [16, 26] })
    const identity = studyIdentity(seed, `Read${seed}`)
    const files = writePhantomStudy(phantom, identity)
    const auditorAccount = demoAccount('auditor')
    const auditorApi = await apiSession(baseURL!, auditorAccount.username, auditorAccount.password)
    const before = await agreementCounts(auditorApi)

    // The radiologist runs the segmentation in the browser and sends its findings to review.
    const reader = demoAccount('radiologist')
    const context = await browser.newContext({ baseURL, viewport: { width: 1700, height: 1000 }, acceptDownloads: true })
    const requests = recordRequests(context)
    await signInBrowser(context, reader.username, reader.password)
    const page = await context.newPage()
    const viewer = new ViewerPage(page)
    await viewer.goto()
    await viewer.openFiles(files)
    await viewer.waitForSeriesLoaded(files.length)
    await page.getByTestId('model-picker').selectOption('lesion-seg-2d')
    await page.getByTestId('model-provider').selectOption('wasm')
    await page.getByTestId('run-model').click()
    await expect(page.getByTestId('inference-results')).toHaveAttribute('data-model-id', 'lesion-seg-2d', { timeout: 120_000 })
    const propose = page.getByTestId('propose-findings')
    const proposedCount = Number(await propose.getAttribute('data-count'))
    expect(proposedCount, 'the model finds the three nodules').toBeGreaterThanOrEqual(3)
    await propose.click()
    await expect(page.getByTestId('proposal-status')).toHaveAttribute('data-status', 'sent')
    const panel = page.getByTestId('review-panel')
    await expect(panel.locator('[data-testid="finding"][data-status="proposed"]')).toHaveCount(proposedCount)
    const readId = (await panel.getAttribute('data-read-id'))!
    expect(readId).not.toBe('')

    // The worklist lists the study with its pending findings.
    const worklist = await context.newPage()
    await worklist.goto('/worklist')
    await expect(worklist.locator(`[data-testid="worklist-entry"][data-read-id="${readId}"]`)).toHaveAttribute('data-pending', String(proposedCount))
    await worklist.close()

    // Keyboard review: n selects the next pending finding; a accepts, m modifies, x rejects.
    // Keys typed faster than the page renders still act on the finding just selected.
    await blurControls(page)
    await page.keyboard.press('n')
    await page.keyboard.press('a')
    await expect(await selectedFinding(page)).toHaveAttribute('data-ordinal', '1')
    await expect(panel.locator('[data-testid="finding"][data-ordinal="1"]')).toHaveAttribute('data-status', 'accepted')
    await page.keyboard.press('n')
    await expect(await selectedFinding(page)).toHaveAttribute('data-ordinal', '2')
    await page.keyboard.press('m')
    await page.getByTestId('modify-label').selectOption('Mass')
    await page.getByTestId('modify-measurement').fill('18.5')
    await page.getByTestId('confirm-modify').click()
    await expect(panel.locator('[data-testid="finding"][data-ordinal="2"]')).toHaveAttribute('data-status', 'modified')
    for (let ordinal = 3; ordinal <= proposedCount; ordinal++) {
      await blurControls(page)
      await page.keyboard.press('n')
      await expect(await selectedFinding(page)).toHaveAttribute('data-ordinal', String(ordinal))
      await page.keyboard.press('x')
      await page.getByTestId('reject-reason').selectOption(ordinal === 3 ? 'artifact' : 'false-positive')
      await page.getByTestId('reject-note').fill('streak artefact at the apex')
      await page.getByTestId('confirm-reject').click()
      await expect(panel.locator(`[data-testid="finding"][data-ordinal="${ordinal}"]`)).toHaveAttribute('data-status', 'rejected')
    }
    const rejectedCount = proposedCount - 2

    // A finding the AI missed, located by a length the reader draws.
    await page.getByTestId('tool-Length').click()
    const box = (await page.getByTestId('viewport-main').boundingBox())!
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.45)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.36, box.y + box.height * 0.5, { steps: 8 })
    await page.mouse.up()
    await expect(page.getByTestId('measurement')).toHaveCount(1)
    await page.getByTestId('add-finding').click()
    await expect(page.getByTestId('add-location')).toHaveAttribute('data-kind', 'polyline')
    await page.getByTestId('add-label').selectOption('Lung nodule')
    await page.getByTestId('confirm-add').click()
    await expect(panel.locator('[data-testid="finding"][data-origin="reader"]')).toHaveAttribute('data-status', 'added')
    await expect(panel.locator('[data-testid="finding"][data-discordant="true"]')).toHaveCount(rejectedCount + 1)

    // A researcher cannot sign a clinical read: refused on the server, and audited.
    const researcher = demoAccount('researcher')
    const researcherApi = await apiSession(baseURL!, researcher.username, researcher.password)
    const refused = await researcherApi.post(`/api/reads/${readId}/signature`, { data: { password: researcher.password, meaning: 'approval' } })
    expect(refused.status()).toBe(403)
    await researcherApi.dispose()

    // The sign form shows the hash of the read on screen. Changed behind it (the reader's
    // other session), signing what the screen shows is refused (409) and the page then
    // shows the read as it is, with its new hash.
    const readerApi = await apiSession(baseURL!, reader.username, reader.password)
    const shownHash = (await page.getByTestId('sign-content-hash').textContent())!
    expect(shownHash).toMatch(/^[0-9a-f]{64}$/)
    const behind = (await (await readerApi.get(`/api/reads/${readId}`)).json()) as ReadDto
    expect(behind.contentHash).toBe(shownHash)
    const added = behind.findings.find((finding) => finding.origin === 'reader')!
    expect((await readerApi.patch(`/api/reads/${readId}/findings/${added.id}`, { data: { action: 'modify', note: 'Changed in another tab.' } })).status()).toBe(200)
    await page.getByTestId('sign-password').fill(reader.password)
    await page.getByTestId('sign-read').click()
    await expect(page.getByTestId('review-error')).toContainText('changed after it was shown to you')
    await expect(page.getByTestId('sign-content-hash')).not.toHaveText(shownHash)
    await expect(page.getByTestId('signature-manifest')).toHaveCount(0)

    // Signing needs the password: a wrong one is refused (and audited), the right one signs.
    const signedHash = (await page.getByTestId('sign-content-hash').textContent())!
    await page.getByTestId('sign-meaning').selectOption('approval')
    await page.getByTestId('sign-password').fill('not-my-password')
    await page.getByTestId('sign-read').click()
    await expect(page.getByTestId('review-error')).toContainText('password')
    await page.getByTestId('sign-password').fill(reader.password)
    await page.getByTestId('sign-read').click()
    const manifest = page.getByTestId('signature-manifest')
    await expect(manifest).toHaveAttribute('data-valid', 'true')
    await expect(page.getByTestId('signature-meaning')).toHaveText('Approved')
    await expect(page.getByTestId('signature-name')).not.toBeEmpty()
    await expect(page.getByTestId('signature-time')).toContainText('UTC')
    const contentHash = await manifest.getAttribute('data-content-hash')
    expect(contentHash, 'the signature binds the content the form showed').toBe(signedHash)

    // A signed read cannot be changed, through the API either.
    const signed = (await (await readerApi.get(`/api/reads/${readId}`)).json()) as ReadDto
    const change = await readerApi.patch(`/api/reads/${readId}/findings/${signed.findings[0]!.id}`, { data: { action: 'reject', reason: 'false-positive', note: null } })
    expect(change.status()).toBe(409)

    // The DICOM SR, built in the browser, passes dciodvfy.
    const download = page.waitForEvent('download')
    await page.getByTestId('export-sr').click()
    const srPath = (await (await download).path())!
    if (!missingDciodvfy()) {
      const { report, errors } = dciodvfyFile(srPath)
      expect(errors, report).toEqual([])
    }

    // The auditor: every event of this read, in order, with its codes.
    const events = (await (await auditorApi.get(`/api/audit/events?study=${identity.studyInstanceUid}&limit=200`)).json()) as {
      events: { seq: number; eventType: string; eventCode: string; action: string; outcome: number; details: Record<string, unknown> }[]
    }
    // Views (the page loading the study's reads, the API reads above) are checked apart: which come when depends on the page.
    const trail = [...events.events].reverse().filter((event) => event.eventType !== 'study-opened' && event.eventType !== 'read-viewed')
    const views = events.events.filter((event) => event.eventType === 'read-viewed')
    expect(views.length, 'the reads shown to the reader are audited').toBeGreaterThan(0)
    expect(views.every((event) => event.eventCode === '110111' && event.action === 'R')).toBe(true)
    const expected = [
      ['read-opened', '110111', 'C', 0],
      ['model-result-recorded', '110111', 'C', 0],
      ...Array.from({ length: proposedCount }, () => ['finding-proposed', '110111', 'C', 0]),
      ['finding-accepted', '110111', 'U', 0],
      ['finding-modified', '110111', 'U', 0],
      ...Array.from({ length: rejectedCount }, () => ['finding-rejected', '110111', 'U', 0]),
      ['finding-added', '110111', 'C', 0],
      ['finding-modified', '110111', 'U', 0],
      ['read-sign-refused', '110111', 'U', 4],
      ['read-sign-refused', '110111', 'U', 4],
      ['read-signed', '110111', 'U', 0],
      ['read-exported', '110106', 'R', 0],
    ]
    expect(trail.map((event) => [event.eventType, event.eventCode, event.action, event.outcome])).toEqual(expected)
    expect(trail.find((event) => event.eventType === 'read-signed')!.details.contentHash).toBe(contentHash)
    expect(trail.filter((event) => event.eventType === 'read-sign-refused').map((event) => event.details.reason)).toEqual(['content-changed', 'bad-password'])
    expect(trail.find((event) => event.eventType === 'finding-rejected')!.details.reason).toBe('artifact')
    const denied = (await (await auditorApi.get(`/api/audit/events?type=access-denied&user=${researcher.username}&limit=5`)).json()) as {
      events: { entities: { type: string; id: string }[]; details: { method: string } }[]
    }
    expect(denied.events[0]!.entities).toContainEqual({ type: 'resource', id: `/api/reads/${readId}/signature` })

    // The dashboard: chain verified, the events in the browser, agreement moved by this read.
    const auditorContext = await browser.newContext({ baseURL, viewport: { width: 1600, height: 1000 } })
    await signInBrowser(auditorContext, auditorAccount.username, auditorAccount.password)
    const dashboard = await auditorContext.newPage()
    await dashboard.goto(`/audit?study=${identity.studyInstanceUid}`)
    await expect(dashboard.getByTestId('chain-status')).toHaveAttribute('data-ok', 'true')
    await expect(dashboard.locator('[data-testid="audit-event"][data-event-type="read-signed"]')).toHaveCount(1)
    const after = await agreementCounts(auditorApi)
    expect(after).toEqual({
      accepted: before.accepted + 1,
      modified: before.modified + 1,
      rejected: before.rejected + rejectedCount,
      added: before.added + 1,
      neither: before.neither,
    })
    const row = dashboard.locator('[data-testid="model-agreement"][data-model-id^="lesion-seg-2d@"]')
    const decided = after.accepted + after.modified + after.rejected
    expect(Number(await row.getAttribute('data-acceptance'))).toBeCloseTo(after.accepted / decided, 9)
    expect(Number(await row.getAttribute('data-kappa'))).toBeCloseTo(
      cohensKappa({ both: after.accepted + after.modified, aiOnly: after.rejected, readerOnly: after.added, neither: after.neither })!,
      9,
    )
    await expect(dashboard.locator(`[data-testid="discordant-finding"][data-read-id="${readId}"]`)).toHaveCount(rejectedCount + 1)

    // Exports: CSV and a FHIR R4 Bundle of AuditEvents, of this study's events.
    const csv = await auditorApi.get(`/api/audit/export?format=csv&study=${identity.studyInstanceUid}`)
    expect(csv.status()).toBe(200)
    const csvLines = (await csv.text()).trim().split('\r\n')
    expect(csvLines[0]).toMatch(/^seq,occurredAt,eventType,eventCode/)
    expect(csvLines.filter((line) => line.includes(',read-signed,110111,'))).toHaveLength(1)
    const fhir = await auditorApi.get(`/api/audit/export?format=fhir&study=${identity.studyInstanceUid}`)
    const bundle = (await fhir.json()) as {
      resourceType: string
      entry: { resource: { resourceType: string; type: { code: string }; subtype: { code: string }[]; action: string } }[]
    }
    expect(bundle.resourceType).toBe('Bundle')
    expect(bundle.entry.length).toBe(csvLines.length - 1)
    expect(bundle.entry.every((entry) => entry.resource.resourceType === 'AuditEvent')).toBe(true)
    // Views of the read (110111, action R) come as often as the page asked for the read; the rest are the trail above.
    const procedureRecords = bundle.entry.filter((entry) => entry.resource.type.code === '110111')
    expect(procedureRecords.filter((entry) => entry.resource.subtype[0]?.code !== 'read-viewed')).toHaveLength(expected.length - 1)
    expect(procedureRecords.filter((entry) => entry.resource.subtype[0]?.code === 'read-viewed').every((entry) => entry.resource.action === 'R')).toBe(true)
    const exportedEvents = (await (await auditorApi.get('/api/audit/events?type=audit-log-exported&limit=2')).json()) as { events: { details: { format: string } }[] }
    expect(exportedEvents.events.map((event) => event.details.format)).toEqual(['fhir', 'csv'])

    // An amendment: a new open version linked to the signed original, which stays as it was.
    await page.getByTestId('amend-read').click()
    await page.getByTestId('amend-reason').fill('Nodule size corrected after comparison')
    await page.getByTestId('confirm-amend').click()
    await expect(panel).toHaveAttribute('data-read-version', '2')
    await expect(panel).toHaveAttribute('data-read-status', 'open')
    const versions = (await (await readerApi.get(`/api/reads?study=${identity.studyInstanceUid}`)).json()) as ReadDto[]
    const original = versions.find((read) => read.id === readId)!
    const amendment = versions.find((read) => read.amendsId === readId)!
    expect(original.status).toBe('signed')
    expect(original.signature?.contentHash).toBe(contentHash)
    expect(original.signature?.valid).toBe(true)
    expect(original.amendedById).toBe(amendment.id)
    expect(amendment.version).toBe(2)
    expect(amendment.findings.map((finding) => finding.status)).toEqual(original.findings.map((finding) => finding.status))

    // Nothing of the images or masks went to the server.
    const leaks = requests.map((request) => pixelLeak(request, new URL(baseURL!).origin)).filter(Boolean)
    expect(leaks).toEqual([])
    await readerApi.dispose()
    await auditorApi.dispose()
    await auditorContext.close()
    await context.close()
  })
})

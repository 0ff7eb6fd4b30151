import { clientAddress } from '@/lib/auth/client-address'
import { route } from '@/lib/auth/route.server'
import { getDb } from '@/lib/db/client.server'
import { recordAgreement } from '@/lib/annotation-projects/agreement-records.server'
import { agreementMaxBodyBytes, projectParamsSchema, recordAgreementBodySchema } from '@/lib/annotation-projects/schema'

/** The numbers of agreement computed in the browser, per study, segment and annotator pair. */
export const POST = route(
  { roles: ['researcher', 'admin'], params: projectParamsSchema, body: recordAgreementBodySchema, maxBodyBytes: agreementMaxBodyBytes },
  async ({ params, body, user, request }) => Response.json(await recordAgreement(getDb(), user, clientAddress(request.headers), params.id, body.records), { status: 201 }),
)

import Link from 'next/link'
import { notFound } from 'next/navigation'
import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { AppError } from '@/lib/errors'
import { getProject } from '@/lib/annotation-projects/projects.server'
import { annotatorQueue } from '@/lib/annotation-projects/tasks.server'
import { AnnotationQueue } from '@/lib/annotation-projects/annotation-queue.client'
import { projectParamsSchema } from '@/lib/annotation-projects/schema'

export default async function ProjectQueuePage({ params }: { params: Promise<{ id: string }> }) {
  const parsed = projectParamsSchema.safeParse(await params)
  if (!parsed.success) notFound()
  const { id } = parsed.data
  const user = await requirePageUser(`/projects/${id}/queue`, pageRoles.projectQueue)
  const [project, queue] = await Promise.all([getProject(getDb(), user, id), annotatorQueue(getDb(), user, id, 'added')]).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'not_found') notFound()
    throw error
  })
  return (
    <>
      <h1>Your queue: {project.name}</h1>
      <p className="muted">
        Annotate each study in the viewer and submit it from there; you see only your own work until agreement is computed. <Link href={`/projects/${id}`}>Project dashboard</Link>
      </p>
      <AnnotationQueue projectId={id} initial={queue} />
    </>
  )
}

import { notFound } from 'next/navigation'
import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { AppError } from '@/lib/errors'
import { getProject } from '@/lib/annotation-projects/projects.server'
import { ProjectDashboard } from '@/lib/annotation-projects/project-dashboard.client'
import { projectParamsSchema } from '@/lib/annotation-projects/schema'

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const parsed = projectParamsSchema.safeParse(await params)
  if (!parsed.success) notFound()
  const user = await requirePageUser(`/projects/${parsed.data.id}`, pageRoles.projects)
  const project = await getProject(getDb(), user, parsed.data.id).catch((error: unknown) => {
    if (error instanceof AppError && error.kind === 'not_found') notFound()
    throw error
  })
  return (
    <>
      <h1 data-testid="project-heading">{project.name}</h1>
      <ProjectDashboard initial={project} />
    </>
  )
}

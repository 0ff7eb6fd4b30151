import Link from 'next/link'
import { pageRoles } from '@/lib/auth/access'
import { requirePageUser } from '@/lib/auth/guard.server'
import { getDb } from '@/lib/db/client.server'
import { listProjects } from '@/lib/annotation-projects/projects.server'
import { CreateProjectForm } from '@/lib/annotation-projects/project-list.client'

export default async function ProjectsPage() {
  const user = await requirePageUser('/projects', pageRoles.projects)
  const projects = await listProjects(getDb(), user)
  const creates = user.role === 'researcher' || user.role === 'admin'
  return (
    <>
      <h1>Annotation projects</h1>
      <p className="muted">The server keeps records only: who annotated what and when, the SEG files&apos; UIDs and hashes, and the figures. Masks never reach it.</p>
      {projects.length === 0 ? (
        <p className="muted" data-testid="projects-empty">
          No project yet.
        </p>
      ) : (
        <table data-testid="projects">
          <thead>
            <tr>
              <th>Project</th>
              <th>Owner</th>
              <th>Status</th>
              <th>Studies</th>
              <th>Annotators</th>
              <th>Submitted</th>
              <th>You</th>
            </tr>
          </thead>
          <tbody>
            {projects.map((project) => (
              <tr key={project.id} data-testid="project-entry" data-project-id={project.id}>
                <td>
                  <Link href={`/projects/${project.id}`}>{project.name}</Link>
                </td>
                <td>{project.createdBy.name}</td>
                <td>{project.status}</td>
                <td>{project.studyCount}</td>
                <td>{project.annotatorCount}</td>
                <td>
                  {project.tasks.submitted} / {project.tasks.total}
                </td>
                <td>{project.access}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creates && <CreateProjectForm />}
    </>
  )
}

/** Projects and their settings. */
import { ComplianceSettingsError, DEFAULT_COMPLIANCE, parseCompliance } from '../../domain/compliance/settings';
import { isKnownCountry } from '../../domain/phone';
import type { Project, ProjectInput, ProjectSettings } from './directory';
import { DirectoryInputError, listForMessage } from './errors';
import { renormalizeContacts } from './renormalize';
import type { SqlStore } from './sql-store';

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  smsEnabled: true,
  numberField: 'mobile',
  defaultCountry: 'US',
  timeZone: 'UTC',
  senderId: null,
  compliance: DEFAULT_COMPLIANCE,
};

interface ProjectRow {
  id: string;
  name: string;
  sms_enabled: number;
  number_field: string;
  default_country: string;
  time_zone: string;
  sender_id: string | null;
  compliance: string | null;
}

const PROJECT_COLUMNS = 'id, name, sms_enabled, number_field, default_country, time_zone, sender_id, compliance';

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    smsEnabled: Number(row.sms_enabled) === 1,
    numberField: row.number_field,
    defaultCountry: row.default_country,
    timeZone: row.time_zone,
    senderId: row.sender_id,
    compliance: parseCompliance(row.compliance ? JSON.parse(row.compliance) : null),
  };
}

export async function getProject(db: SqlStore, id: string): Promise<Project | undefined> {
  const row = await db.get<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ?`, [id]);
  return row && toProject(row);
}

export async function listProjects(db: SqlStore): Promise<Project[]> {
  const rows = await db.all<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects ORDER BY id`);
  return rows.map(toProject);
}

/** The project, or a DirectoryInputError naming the known ones. */
export async function requireProject(db: SqlStore, id: string): Promise<Project> {
  const project = await getProject(db, id);
  if (project) return project;
  const known = (await db.all<{ id: string }>('SELECT id FROM projects ORDER BY id')).map((row) => row.id);
  throw new DirectoryInputError(
    `Unknown project "${id}". Known projects: ${listForMessage(known)}. Check the project id, or create the project first.`,
  );
}

/** Creates or updates a project; unset settings keep their stored (or default) value. */
export async function upsertProject(db: SqlStore, input: ProjectInput): Promise<Project> {
  const id = input.id?.trim();
  if (!id) throw new DirectoryInputError('A project needs a non-empty id.');
  return db.transaction(async (tx) => {
    const existing = await getProject(tx, id);
    const { compliance, ...settings } = input;
    const project = validProject({
      ...DEFAULT_PROJECT_SETTINGS,
      ...existing,
      ...definedSettings(settings),
      compliance: complianceOf(id, compliance, existing?.compliance ?? DEFAULT_COMPLIANCE),
      id,
      name: input.name ?? existing?.name ?? id,
    });
    const now = Date.now();
    await tx.run(
      `INSERT INTO projects (${PROJECT_COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, sms_enabled = excluded.sms_enabled,
         number_field = excluded.number_field, default_country = excluded.default_country,
         time_zone = excluded.time_zone, sender_id = excluded.sender_id, compliance = excluded.compliance,
         updated_at = excluded.updated_at`,
      [
        project.id,
        project.name,
        project.smsEnabled ? 1 : 0,
        project.numberField,
        project.defaultCountry,
        project.timeZone,
        project.senderId,
        JSON.stringify(project.compliance),
        now,
        now,
      ],
    );
    if (existing && (existing.numberField !== project.numberField || existing.defaultCountry !== project.defaultCountry)) {
      await renormalizeContacts(tx, project);
    }
    return project;
  });
}

function complianceOf(projectId: string, input: unknown, base: Project['compliance']): Project['compliance'] {
  try {
    return parseCompliance(input, base);
  } catch (err) {
    if (err instanceof ComplianceSettingsError) throw new DirectoryInputError(`Project "${projectId}": ${err.message}`);
    throw err;
  }
}

function definedSettings<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function validProject(project: Project): Project {
  const id = project.id;
  const name = project.name?.trim() || id;
  const numberField = project.numberField?.trim();
  if (!numberField) throw new DirectoryInputError(`Project "${id}": the number field must name a profile field, e.g. "mobile".`);
  const defaultCountry = project.defaultCountry?.trim().toUpperCase();
  if (!defaultCountry || !isKnownCountry(defaultCountry)) {
    throw new DirectoryInputError(
      `Project "${id}": unknown default country "${project.defaultCountry}". Use an ISO 3166-1 alpha-2 code such as CA, US or FR.`,
    );
  }
  if (!isTimeZone(project.timeZone)) {
    throw new DirectoryInputError(
      `Project "${id}": unknown time zone "${project.timeZone}". Use an IANA zone such as America/Toronto or Europe/Paris.`,
    );
  }
  const senderId = project.senderId?.trim() || null;
  return { ...project, name, numberField, defaultCountry, senderId, smsEnabled: Boolean(project.smsEnabled) };
}

function isTimeZone(zone: string | undefined): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

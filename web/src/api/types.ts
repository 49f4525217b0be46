// The API's shapes the frontend reads, as shared/httpapi/openapi describes
// them. Only the fields the pages use are listed.

export interface Grant {
  institution: string
  department: string | null
  role: string
  permissions: string[]
}

export interface Me {
  id: string
  kind: 'person' | 'company' | 'staff' | 'machine'
  email: string
  emailVerified: boolean
  displayName: string
  phone: string | null
  locale: 'ro' | 'en'
  cnpMasked: string | null
  cui: string | null
  institution: string | null
  mfaEnabled: boolean
  mfaPending: boolean
  mfaSetupRequired: boolean
  grants: Grant[]
}

export interface Institution {
  id: string
  parentId: string | null
  cif: string
  name: string
  address: string
  timeZone: string
}

export interface InstitutionList {
  institutions: Institution[]
  next: string | null
}

export type DepartmentKind = 'direction' | 'service' | 'office' | 'compartment'

export interface Department {
  id: string
  institutionId: string
  parentId: string | null
  kind: DepartmentKind
  code: string
  name: string
  createdAt: string
  updatedAt: string
}

/** A department of the organisation chart, as GET /api/institutions/{id} gives it, with its sub-departments. */
export interface DepartmentNode extends Department {
  children: DepartmentNode[]
}

export interface AttachmentSpec {
  kind: string
  title: string
  required: boolean
  mediaTypes: string[]
  maxSize: number
}

export interface RequestType {
  id: string
  code: string
  version: number
  status: 'draft' | 'published'
  name: string
  description: string
  form: Record<string, unknown>
  attachments: AttachmentSpec[]
  department: { id: string; name: string }
  regime: 'petition' | 'public_information' | 'custom'
  deadlineDays: number
  workingDays: boolean
  verifiedIdentity: boolean
}

export type RequestStatus =
  | 'submitted' | 'registered' | 'assigned' | 'in_progress' | 'info_requested'
  | 'extended' | 'resolved' | 'rejected' | 'filed_away' | 'forwarded'

export interface Registration {
  entryId: string
  registerCode: string
  number: number
  year: number
  registeredAt: string
  verificationCode: string
  receiptUrl: string
}

export interface RequestSummary {
  id: string
  institutionId: string
  type: { id: string; code: string; version: number; name: string }
  title: string
  status: RequestStatus
  submittedAt: string
  registration: Registration | null
  deadline: string | null
  daysLeft: number | null
  overdue: boolean
  extendedDays: number
  /** The one extension the law allows (15 days for a petition, 20 for public information: 30 in all); 0 once used or the term is over. */
  maxExtensionDays: number
  /** The last day for a reasoned refusal where the law sets one (public information: 5 days). */
  refusalDeadline: string | null
  departmentId: string
  assigneeId: string | null
  closedAt: string | null
  answer: { entryId: string; number: number } | null
  /** The earlier identical petition of the same applicant this one is linked to (OG 27/2002 art. 16). */
  duplicateOf?: string | null
  revision: number
}

export interface RequestList {
  items: RequestSummary[]
  next?: string
}

export interface HistoryRow {
  id: number
  at: string
  action: string
  status: string
  actorKind: string
  /** A staff member's change is signed: their name and the department they acted for. */
  actorName?: string
  actorDepartment?: string
  note: string
  details: Record<string, unknown>
}

/** Who made a request, as staff see it: the CNP masked only. */
export interface Applicant {
  kind: 'person' | 'company'
  name: string
  cnpMasked?: string
  cui?: string
  email: string
  phone?: string
  address?: string
}

export interface RequestFile {
  id: number
  kind: string
  title: string
  name: string
  size: number
  mediaType: string
  addedAt: string
  historyId: number
  url: string
}

export interface RequestDetail extends RequestSummary {
  /** Staff only. */
  applicant?: Applicant
  data: Record<string, unknown>
  history: HistoryRow[]
  files: RequestFile[]
}

export interface PublicStatus {
  status: string
  type: string
  registerCode: string
  number: number
  year: number
  registeredAt: string
  deadline: string
  updatedAt: string
}

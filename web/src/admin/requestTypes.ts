// What the request types' administration pages share: the API's shapes
// (shared/httpapi/openapi/request-types.json) and the content of a version
// as the editor holds it.

import type { AttachmentSpec } from '../api/types'
import { translateOffice as translate } from '../i18n/office'
import { newField, valueFrom } from './formEditor'
import type { Defaults, EditorForm } from './formEditor'

/** A request type as its administrators list it (GET .../request-types/all). */
export interface TypeSummary {
  id: string
  code: string
  createdAt: string
  withdrawnAt: string | null
  /** The newest version's. */
  name: string
  publishedVersion: number | null
  publishedAt: string | null
  draftVersion: number | null
  versions: number
}

export type Regime = 'petition' | 'public_information' | 'custom'
export const regimes: Regime[] = ['petition', 'public_information', 'custom']

/** A version as the API shows it. */
export interface Version {
  id: string
  code: string
  version: number
  status: 'draft' | 'published'
  name: string
  description: string
  form: Record<string, unknown>
  attachments: AttachmentSpec[]
  department: { id: string; name: string }
  regime: Regime
  customDays: number | null
  workingDays: boolean
  deadlineDays: number
  verifiedIdentity: boolean
  registerId: string
  createdAt: string
  publishedAt: string | null
}

/** A type with all its versions, the newest first (GET .../versions). */
export interface TypeVersions {
  id: string
  code: string
  createdAt: string
  withdrawnAt: string | null
  versions: Version[]
}

/** What PUT, POST .../versions and POST .../request-types take. */
export interface VersionInput {
  name: string
  description: string
  form: unknown
  attachments: AttachmentSpec[]
  departmentId: string
  regime: Regime
  customDays: number | null
  workingDays: boolean
  registerId: string
  verifiedIdentity: boolean
}

/** The content a version holds, as it is sent back. */
export function inputOf(v: Version): VersionInput {
  return {
    name: v.name, description: v.description, form: v.form, attachments: v.attachments, departmentId: v.department.id,
    regime: v.regime, customDays: v.regime === 'custom' ? v.customDays : null, workingDays: v.regime === 'custom' && v.workingDays,
    registerId: v.registerId, verifiedIdentity: v.verifiedIdentity,
  }
}

export const basePath = (inst: string) => `/api/institutions/${inst}/request-types`

/** The formats an attachment may accept: the documents' allow-list. */
export const mediaTypes = [
  'application/pdf', 'image/jpeg', 'image/png', 'image/tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.oasis.opendocument.text', 'text/plain',
] as const

/** The message naming a format ("requestTypes.media.pdf"). */
export const mediaName: Record<string, string> = {
  'application/pdf': 'pdf', 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/tiff': 'tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.oasis.opendocument.text': 'odt', 'text/plain': 'txt',
}

const attachmentKind = /^[a-z0-9][a-z0-9_-]{0,62}$/
export const isAttachmentKind = (k: string) => attachmentKind.test(k)

/** The kind an attachment's title gives: "Extras de carte funciară" → "extras-de-carte-funciara". */
export const kindFrom = (title: string) => valueFrom(title).slice(0, 63)

const typeCode = /^[a-z0-9][a-z0-9-]{0,62}$/
export const isTypeCode = (c: string) => typeCode.test(c)
/** The code a name gives: "Certificat de urbanism" → "certificat-de-urbanism". */
export const codeFrom = (name: string) => valueFrom(name).replace(/_/g, '-').slice(0, 63).replace(/-+$/, '')

/** The texts new fields get, in both languages, from the message files. */
export function editorDefaults(): Defaults {
  const both = (key: string) => ({ ro: translate('ro', key), en: translate('en', key) })
  return { phoneHint: both('requestTypes.phoneHint') }
}

/** The form a new request type starts with: the applicant's name, which every request needs. */
export function starterForm(name: string): EditorForm {
  const d = editorDefaults()
  const field = {
    ...newField('text', d), key: 'name', required: true, autocomplete: 'name',
    title: { ro: translate('ro', 'requestTypes.starterName'), en: translate('en', 'requestTypes.starterName') },
  }
  return { title: { ro: name, en: '' }, description: { ro: '', en: '' }, fields: [field], closed: true, extra: {} }
}

const mib = 1024 * 1024
export const toMiB = (bytes: number) => String(Math.round((bytes / mib) * 100) / 100)
export const fromMiB = (s: string): number | undefined => {
  const n = Number(s.replace(',', '.'))
  return s.trim() !== '' && Number.isFinite(n) && n > 0 ? Math.round(n * mib) : undefined
}

import { useRef, useState } from 'preact/hooks'

import { useI18n } from '../i18n/i18n'
import { FieldLabel } from './ui'

export interface PickedFile {
  file: File
  /** What is wrong with it (too large, not an accepted type), if anything. */
  problem?: string
}

// Extensions a citizen recognises, for the accepted media types.
const extensions: Record<string, string> = {
  'application/pdf': '.pdf', 'image/png': '.png', 'image/jpeg': '.jpg,.jpeg', 'image/tiff': '.tif,.tiff',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.oasis.opendocument.text': '.odt', 'application/xml': '.xml', 'text/plain': '.txt',
}

/** The formats a citizen recognises ("PDF, JPG, PNG") for the accepted media types. */
export function formatNames(mediaTypes: readonly string[]): string {
  const names = mediaTypes.map((m) => (extensions[m] ? extensions[m].split(',')[0].slice(1).toUpperCase() : m))
  return [...new Set(names)].join(', ')
}

/**
 * FilePicker: files by drag and drop or by the file dialog (which is what
 * the keyboard and a phone use), listed with their size and a way to take
 * one back. The accepted formats and the maximum size are told before a
 * file is chosen; files the API would refuse are marked at once.
 */
export function FilePicker({ id, label, hint, files, onFiles, mediaTypes, maxSize, multiple, required, error }: {
  id: string
  label: string
  hint?: string
  files: PickedFile[]
  onFiles: (f: PickedFile[]) => void
  mediaTypes?: string[]
  maxSize?: number
  multiple?: boolean
  required?: boolean
  error?: string
}) {
  const { t, bytes } = useI18n()
  const input = useRef<HTMLInputElement>(null)
  const [dragging, setDragging] = useState(false)
  const accept = mediaTypes?.map((m) => extensions[m] ?? m).join(',')
  const check = (file: File): PickedFile => {
    if (maxSize && file.size > maxSize) return { file, problem: t('files.tooLarge', { max: bytes(maxSize) }) }
    if (file.size === 0) return { file, problem: t('files.empty') }
    if (mediaTypes && file.type && !mediaTypes.includes(file.type)) return { file, problem: t('files.wrongType', { types: formatNames(mediaTypes) }) }
    return { file }
  }
  const add = (list: FileList | null) => {
    if (!list) return
    const picked = [...list].map(check)
    onFiles(multiple ? [...files, ...picked] : picked.slice(0, 1))
  }
  const accepted = [
    mediaTypes && mediaTypes.length > 0 ? t('files.acceptedTypes', { types: formatNames(mediaTypes) }) : '',
    maxSize ? t('files.acceptedSize', { max: bytes(maxSize) }) : '',
  ].filter(Boolean).join(' ')
  const described = [hint && `${id}-hint`, accepted && `${id}-accepted`, error && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <FieldLabel id={id} label={label} required={required} />
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
      {accepted && <p class="field-hint" id={`${id}-accepted`}>{accepted}</p>}
      <div class={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(e) => { e.preventDefault(); setDragging(true) }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); add(e.dataTransfer?.files ?? null) }}>
        <input ref={input} id={id} type="file" accept={accept} multiple={multiple} aria-describedby={described}
          aria-invalid={error ? 'true' : undefined}
          onChange={(e) => { add((e.target as HTMLInputElement).files); (e.target as HTMLInputElement).value = '' }} />
        <p class="meta">{t('files.dropHere')}</p>
        {files.length > 0 && (
          <ul class="file-list">
            {files.map((f, i) => (
              <li>
                <span>{f.file.name}</span> <span class="meta">{bytes(f.file.size)}</span>
                {f.problem && <span class="field-error">{f.problem}</span>}
                <button type="button" class="btn btn-link" onClick={() => onFiles(files.filter((_, j) => j !== i))}
                  aria-label={t('files.remove', { name: f.file.name })}>{t('files.removeShort')}</button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  )
}

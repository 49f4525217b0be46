// Request forms: a form's JSON Schema parsed into fields (schema.ts),
// rendered (FormRenderer.tsx) and checked in the browser (validate.ts)
// with the server's rules and error paths.

export { parseSchema, flatten, SchemaError, maxFields, maxDepth } from './schema'
export type { Field, FieldType, FormTree, Labels, Option, StringFormat, StringField, NumberField, BooleanField, ObjectField, ArrayField } from './schema'
export { validate, serverErrors, isDate, isDateTime } from './validate'
export type { Errors, ProblemFieldError } from './validate'
export { initialValue, updateValue, emptyItem } from './value'
export type { FormValue } from './value'
export { FormRenderer, isLongText, showsRadios, maxRadios, parseDecimal, showDecimal } from './FormRenderer'
export type { FormRendererProps } from './FormRenderer'
export { focusFirstError, focusWithin } from './focus'
export { pathKey, fieldId, partId } from './paths'
export type { Path } from './paths'
export { fromLocalInput, toLocalInput } from './datetime'
export { parseCNP, parseCUI, identifierProblem } from './nationalid'
export type { IdentifierCode } from './nationalid'

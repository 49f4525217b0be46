// Where a field is in a form's value, written two ways: as the server
// writes it in its errors, and as an HTML id.

/** A field's place in the value: property names and array indices. */
export type Path = readonly (string | number)[]

/**
 * The field as the server names it in problem+json errors, without the
 * "data." prefix: "address.street", "coSigners[1].name", "years[0]"
 * (shared/forms/validate.go, location.field).
 */
export function pathKey(path: Path): string {
  let out = ''
  for (const tok of path) {
    if (typeof tok === 'number') out += `[${tok}]`
    else out += out ? `.${tok}` : tok
  }
  return out
}

/**
 * The id of a field's control: the prefix and the path joined with "-"
 * ("f-address-street", "f-coSigners-1-name"). A "-" inside a property name
 * is written "." so that no field's id contains "--": the ids of a field's
 * parts (hint, error, options, buttons) add a "--" suffix, and can then
 * never be another field's id. The prefix must not contain "--" either.
 */
export function fieldId(prefix: string, path: Path): string {
  return [prefix, ...path.map((t) => (typeof t === 'number' ? String(t) : t.replaceAll('-', '.')))].join('-')
}

/** The id of a part of a field: `${fieldId}--${part}` ("f-cnp--hint"). */
export function partId(id: string, part: string): string {
  return `${id}--${part}`
}

package fixity

// Hooks for the tests of package fixity_test.

// OnChecked makes c call f with every object its runs check.
func OnChecked(c *Checker, f func(Object)) { c.checked = f }

// SetPageSize makes c read pages of n rows (or listed objects), so that a
// few objects cross page boundaries.
func SetPageSize(c *Checker, n int) { c.pageSize = n }

// SliceOf is the range of the first 32 bits of SHA-256 that run checks.
var SliceOf = sliceOf

package institutions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DepartmentKinds lists the kinds a department may be, largest first: a
// direction (direcție) holds services (servicii), offices (birouri) and
// compartments (compartimente).
func DepartmentKinds() []string { return []string{"direction", "service", "office", "compartment"} }

// Department is one unit of an institution's organisation chart.
type Department struct {
	ID            uuid.UUID  `json:"id"`
	InstitutionID uuid.UUID  `json:"institutionId"`
	ParentID      *uuid.UUID `json:"parentId"`
	Kind          string     `json:"kind"`
	Code          string     `json:"code"`
	Name          string     `json:"name"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
}

// DepartmentNode is a department with the departments under it.
type DepartmentNode struct {
	Department
	Children []DepartmentNode `json:"children"`
}

const departmentColumns = `id, institution_id, parent_id, kind, code, name, created_at, updated_at`

func scanDepartment(row pgx.Row) (Department, error) {
	var d Department
	err := row.Scan(&d.ID, &d.InstitutionID, &d.ParentID, &d.Kind, &d.Code, &d.Name, &d.CreatedAt, &d.UpdatedAt)
	return d, err
}

// Departments returns every department of the institution, sorted by name.
// An organisation chart is small (tens, at most hundreds of units), so it
// is read whole.
func Departments(ctx context.Context, tx pgx.Tx, institution uuid.UUID) ([]Department, error) {
	rows, err := tx.Query(ctx, `SELECT `+departmentColumns+` FROM department WHERE institution_id = $1 ORDER BY name, id`, institution)
	if err != nil {
		return nil, fmt.Errorf("departments of %s: %w", institution, err)
	}
	ds, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Department, error) { return scanDepartment(r) })
	if err != nil {
		return nil, fmt.Errorf("departments of %s: %w", institution, err)
	}
	return ds, nil
}

// Chart arranges departments as a tree: the top-level ones, each with its
// sub-departments, in the order given.
func Chart(ds []Department) []DepartmentNode {
	children := map[uuid.UUID][]Department{}
	for _, d := range ds {
		children[orNil(d.ParentID)] = append(children[orNil(d.ParentID)], d)
	}
	// Walking down from the roots only, a cycle (which the writes below
	// prevent) could not loop forever: it would be unreachable.
	var build func(parent uuid.UUID) []DepartmentNode
	build = func(parent uuid.UUID) []DepartmentNode {
		nodes := make([]DepartmentNode, 0, len(children[parent]))
		for _, d := range children[parent] {
			nodes = append(nodes, DepartmentNode{Department: d, Children: build(d.ID)})
		}
		return nodes
	}
	return build(uuid.Nil)
}

// GetDepartment returns one department of the institution.
func GetDepartment(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Department, error) {
	return getDepartment(ctx, tx, institution, id, "")
}

// LockDepartment reads the department and locks it until tx ends.
func LockDepartment(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Department, error) {
	return getDepartment(ctx, tx, institution, id, " FOR UPDATE")
}

func getDepartment(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, lock string) (Department, error) {
	d, err := scanDepartment(tx.QueryRow(ctx, `SELECT `+departmentColumns+` FROM department WHERE institution_id = $1 AND id = $2`+lock,
		institution, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Department{}, ErrNotFound
	}
	if err != nil {
		return Department{}, fmt.Errorf("get department %s: %w", id, err)
	}
	return d, nil
}

// NewDepartment is a department to create.
type NewDepartment struct {
	ID, Institution uuid.UUID
	// Parent is the department it is under; nil for a top-level one.
	Parent           *uuid.UUID
	Kind, Code, Name string
}

// CreateDepartment makes the department unless its code is taken in the
// institution; then it returns the one there, Existed if it has the same
// kind, name and parent, else Conflicted.
func CreateDepartment(ctx context.Context, tx pgx.Tx, n NewDepartment) (Department, Result, error) {
	d, err := scanDepartment(tx.QueryRow(ctx, `
		INSERT INTO department (institution_id, id, parent_id, kind, code, name)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (institution_id, code) DO NOTHING
		RETURNING `+departmentColumns, n.Institution, n.ID, n.Parent, n.Kind, n.Code, n.Name))
	// The only foreign keys are the institution, which exists when anyone
	// may act in it, and the parent.
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return Department{}, 0, ErrParentNotFound
	}
	if err == nil {
		return d, Created, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Department{}, 0, fmt.Errorf("create department %s: %w", n.Code, err)
	}
	d, err = scanDepartment(tx.QueryRow(ctx, `SELECT `+departmentColumns+` FROM department WHERE institution_id = $1 AND code = $2`,
		n.Institution, n.Code))
	if err != nil {
		return Department{}, 0, fmt.Errorf("find department %s: %w", n.Code, err)
	}
	if d.Kind == n.Kind && d.Name == n.Name && equalIDs(d.ParentID, n.Parent) {
		return d, Existed, nil
	}
	return d, Conflicted, nil
}

// DepartmentChanges are changes to a department; nil fields stay as they are.
type DepartmentChanges struct {
	Kind, Code, Name *string
	// MoveTo, when set, is the new parent: a department id, or uuid.Nil to
	// make the department top-level.
	MoveTo *uuid.UUID
}

// UpdateDepartment changes the department. Moving it checks that the new
// parent exists in the institution and is not the department itself or
// below it.
func UpdateDepartment(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID, c DepartmentChanges) (Department, error) {
	var parent *uuid.UUID
	if c.MoveTo != nil && *c.MoveTo != uuid.Nil {
		parent = c.MoveTo
		if err := checkMove(ctx, tx, institution, id, *parent); err != nil {
			return Department{}, err
		}
	}
	d, err := scanDepartment(tx.QueryRow(ctx, `
		UPDATE department SET
			kind = coalesce($3, kind),
			code = coalesce($4, code),
			name = coalesce($5, name),
			parent_id = CASE WHEN $6 THEN $7::uuid ELSE parent_id END,
			updated_at = greatest(clock_timestamp(), updated_at + interval '1 microsecond')
		WHERE institution_id = $1 AND id = $2
		RETURNING `+departmentColumns, institution, id, c.Kind, c.Code, c.Name, c.MoveTo != nil, parent))
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Department{}, ErrNotFound
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		return Department{}, ErrCodeTaken
	case err != nil:
		return Department{}, fmt.Errorf("update department %s: %w", id, err)
	}
	return d, nil
}

// checkMove refuses a parent that does not exist or is the department or
// one of its descendants. Moves in one institution are serialised (an
// advisory lock until the transaction ends): two concurrent moves, each
// fine alone, could otherwise close a loop together.
func checkMove(ctx context.Context, tx pgx.Tx, institution, id, parent uuid.UUID) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('department-tree:' || $1::text, 0))`, institution); err != nil {
		return fmt.Errorf("lock organisation chart: %w", err)
	}
	// Walk up from the new parent; UNION (not ALL) stops even on a loop.
	var exists, loops bool
	err := tx.QueryRow(ctx, `
		WITH RECURSIVE up (id, parent_id) AS (
			SELECT id, parent_id FROM department WHERE institution_id = $1 AND id = $2
			UNION
			SELECT d.id, d.parent_id FROM department d JOIN up ON d.id = up.parent_id WHERE d.institution_id = $1
		)
		SELECT count(*) > 0, coalesce(bool_or(id = $3), false) FROM up`, institution, parent, id).Scan(&exists, &loops)
	switch {
	case err != nil:
		return fmt.Errorf("check move of department %s: %w", id, err)
	case !exists:
		return ErrParentNotFound
	case loops:
		return ErrCycle
	}
	return nil
}

// DeleteDepartment removes a department that has no sub-departments and in
// which no role was ever assigned (revoked assignments are kept as a
// record, and name it). It returns the department as it was.
func DeleteDepartment(ctx context.Context, tx pgx.Tx, institution, id uuid.UUID) (Department, error) {
	d, err := LockDepartment(ctx, tx, institution, id)
	if err != nil {
		return Department{}, err
	}
	var children, roles bool
	if err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT FROM department WHERE institution_id = $1 AND parent_id = $2),
		       EXISTS (SELECT FROM role_assignment WHERE institution_id = $1 AND department_id = $2)`,
		institution, id).Scan(&children, &roles); err != nil {
		return Department{}, fmt.Errorf("check department %s: %w", id, err)
	}
	switch {
	case children:
		return Department{}, ErrHasChildren
	case roles:
		return Department{}, ErrHasRoles
	}
	// Whatever else refers to it (added concurrently, or by tables of other
	// parts of the platform) makes the foreign key refuse.
	_, err = tx.Exec(ctx, `DELETE FROM department WHERE institution_id = $1 AND id = $2`, institution, id)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return Department{}, ErrInUse
	}
	if err != nil {
		return Department{}, fmt.Errorf("delete department %s: %w", id, err)
	}
	return d, nil
}

package backup

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ghiseu/ghiseu/shared/backup/retention"
	"github.com/ghiseu/ghiseu/shared/blob"
)

// incompleteGrace is how long the leftovers of a backup without a manifest
// are left alone: one may be running.
const incompleteGrace = 24 * time.Hour

// Pruned says what Prune removed.
type Pruned struct {
	Kept       []retention.Kept
	Removed    []string // complete backups the policy does not keep
	Incomplete []string // leftovers of backups that never finished
}

// Prune removes the complete backups the retention policy does not keep,
// and the leftovers of backups that never got a manifest (older than a
// day). Document copies are shared by every backup and stay.
func Prune(ctx context.Context, b *blob.Store, bucket, prefix string, p retention.Policy, now time.Time, loc *time.Location) (Pruned, error) {
	if prefix == "" {
		prefix = "backups"
	}
	prefix = strings.Trim(prefix, "/")
	objects := map[string][]blob.Object{} // by backup id
	complete := map[string]bool{}
	for o, err := range b.List(ctx, bucket, prefix+"/") {
		if err != nil {
			return Pruned{}, fmt.Errorf("prune: %w", err)
		}
		id := path.Base(path.Dir(o.Key))
		objects[id] = append(objects[id], o)
		if path.Base(o.Key) == "manifest.json" {
			complete[id] = true
		}
	}
	var all []retention.Backup
	var out Pruned
	for id := range objects {
		at, err := time.Parse(idLayout, id)
		if err != nil {
			continue // not ours
		}
		switch {
		case complete[id]:
			all = append(all, retention.Backup{ID: id, At: at})
		case now.Sub(at) > incompleteGrace:
			out.Incomplete = append(out.Incomplete, id)
		}
	}
	keep, prune := retention.Plan(all, p, now, loc)
	out.Kept = keep
	for _, bk := range prune {
		out.Removed = append(out.Removed, bk.ID)
	}
	// The manifest goes first: a backup half removed is incomplete, never
	// one that looks whole and is not.
	for _, id := range append(append([]string{}, out.Removed...), out.Incomplete...) {
		objs := objects[id]
		for _, o := range objs {
			if path.Base(o.Key) == "manifest.json" {
				if err := b.Delete(ctx, bucket, o.Key); err != nil {
					return out, fmt.Errorf("prune %s: %w", id, err)
				}
			}
		}
		for _, o := range objs {
			if path.Base(o.Key) != "manifest.json" {
				if err := b.Delete(ctx, bucket, o.Key); err != nil {
					return out, fmt.Errorf("prune %s: %w", id, err)
				}
			}
		}
	}
	return out, nil
}

// Command deadletters lists and replays the events that subscribers kept
// refusing (stored by the dead-letter function).
//
//	deadletters list [-all] [-after ID] [-limit N]
//	deadletters replay ID...      replay these
//	deadletters replay -pending   replay every letter not yet replayed
//
// It reads DATABASE_URL and K_SINK (the Broker's ingress), falling back to
// what a running `make run` recorded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ghiseu/ghiseu/infra/localstack"
	"github.com/ghiseu/ghiseu/shared/deadletter"
	"github.com/ghiseu/ghiseu/shared/events"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "deadletters:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: deadletters list [-all] [-after ID] [-limit N] | deadletters replay (-pending | ID...)")
	}
	dbURL := localstack.Getenv("DATABASE_URL")
	if dbURL == "" {
		return errors.New("DATABASE_URL is not set (and no local stack is running)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return errors.New("DATABASE_URL is not a valid connection string")
	}
	defer pool.Close()

	switch args[0] {
	case "list":
		fs := flag.NewFlagSet("list", flag.ContinueOnError)
		all := fs.Bool("all", false, "include letters already replayed")
		after := fs.Int64("after", 0, "list letters after this id (the previous page's last)")
		limit := fs.Int("limit", 100, "letters per page")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		letters, err := deadletter.List(ctx, pool, deadletter.Filter{IncludeReplayed: *all, After: *after, Limit: *limit})
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tRECEIVED\tTYPE\tSOURCE\tEVENT ID\tFAILED AT\tCODE\tREPLAYS")
		for _, l := range letters {
			code := "-"
			if l.ErrorCode != nil {
				code = strconv.Itoa(*l.ErrorCode)
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", l.ID, l.ReceivedAt.Format(time.RFC3339), l.Event.Type(),
				l.Event.Source(), l.Event.ID(), l.ErrorDest, code, l.ReplayCount)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if len(letters) == *limit {
			fmt.Printf("more: deadletters list -after %d\n", letters[len(letters)-1].ID)
		}
		return nil
	case "replay":
		fs := flag.NewFlagSet("replay", flag.ContinueOnError)
		pending := fs.Bool("pending", false, "replay every letter not yet replayed")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		sink := localstack.Getenv("K_SINK")
		if sink == "" {
			return errors.New("K_SINK (the Broker's ingress URL) is not set")
		}
		broker, err := events.NewHTTPSender(sink)
		if err != nil {
			return err
		}
		ids, err := replayIDs(ctx, pool, *pending, fs.Args())
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := deadletter.Replay(ctx, pool, broker, id); err != nil {
				return err
			}
			fmt.Printf("replayed %d\n", id)
		}
		return nil
	default:
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func replayIDs(ctx context.Context, pool *pgxpool.Pool, pending bool, args []string) ([]int64, error) {
	if pending == (len(args) > 0) {
		return nil, errors.New("replay takes either -pending or letter ids")
	}
	var ids []int64
	for _, a := range args {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a letter id", a)
		}
		ids = append(ids, id)
	}
	if !pending {
		return ids, nil
	}
	var after int64
	for {
		page, err := deadletter.List(ctx, pool, deadletter.Filter{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, l := range page {
			ids = append(ids, l.ID)
		}
		if len(page) < 500 {
			return ids, nil
		}
		after = page[len(page)-1].ID
	}
}

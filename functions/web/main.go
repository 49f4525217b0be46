// Command web serves the platform's single-page application (web/, built by
// Vite into web/dist): the hashed files under /assets/ as immutable, every
// other file and index.html to be revalidated, and index.html for any path
// without a file extension, so the app's own routes (/cereri/123) load it.
// /api/... is never the app's: the gateway sends the API to the functions,
// and what reaches this function there is answered 404. Every response
// carries the platform's security headers (a strict Content-Security-Policy
// among them); text is compressed for clients that accept it.
//
// In the image, ko copies functions/web/kodata to KO_DATA_PATH, following
// the links in it: kodata/dist is a link to web/dist, so the app is at
// $KO_DATA_PATH/dist. (kodata itself cannot be the link: ko walks kodata
// without following it, and the image would hold nothing.) WEB_ROOT names
// another directory instead, as the local stack's web/dist.
package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"

	"github.com/ghiseu/ghiseu/shared/runtime"
)

type config struct {
	runtime.Config
	// Root is the directory of the built app; empty means KoDataPath.
	Root string `envconfig:"WEB_ROOT"`
	// KoDataPath is set by ko in the image: where kodata was copied.
	// The app is in its dist/.
	KoDataPath string `envconfig:"KO_DATA_PATH"`
}

func main() {
	var cfg config
	runtime.Main("web", &cfg, func(ctx context.Context, log *slog.Logger) (runtime.Function, error) {
		dir, err := appDir(cfg)
		if err != nil {
			return runtime.Function{}, err
		}
		s, err := openSite(dir, log)
		if err != nil {
			return runtime.Function{}, err
		}
		h, err := s.handler()
		if err != nil {
			s.close()
			return runtime.Function{}, err
		}
		log.Info("serving the web app", "dir", dir)
		return runtime.Function{
			Handler: h,
			Checks:  []runtime.Check{{Name: "index.html", Check: s.checkIndex}},
			Stop:    s.close,
		}, nil
	})
}

// koDataApp is where, under KO_DATA_PATH, the image holds the app: the name
// of the link in kodata.
const koDataApp = "dist"

// appDir is WEB_ROOT, or else the app in ko's KO_DATA_PATH.
func appDir(cfg config) (string, error) {
	switch {
	case cfg.Root != "":
		return cfg.Root, nil
	case cfg.KoDataPath != "":
		return filepath.Join(cfg.KoDataPath, koDataApp), nil
	}
	return "", errors.New("config: WEB_ROOT is not set, nor is KO_DATA_PATH (ko sets it in the image): " +
		"set WEB_ROOT to the built web app (web/dist, built by `make web`)")
}

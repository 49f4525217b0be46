package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/ghiseu/ghiseu/infra/devbroker"
	"github.com/ghiseu/ghiseu/shared/httpapi"
)

// allowed marks a cell whose caller passes authorization: the answer may be
// anything but 401 or 403 (a 422 for the empty body sent, a 404 for an
// unknown id, a 409...). Other cells name the exact refusal.
const allowed = 0

type expectations map[caller]int

// public: anyone.
func public() expectations { return fill(allowed, nil) }

// signedIn: any account.
func signedIn() expectations { return fill(allowed, map[caller]int{anonymous: 401}) }

// citizensOnly: persons and companies.
func citizensOnly() expectations {
	return fill(http.StatusForbidden, map[caller]int{anonymous: 401, citizen: allowed, otherCitizen: allowed})
}

// staffOf: the listed roles of institution A; everyone else refused.
func staffOf(roles ...caller) expectations {
	e := fill(http.StatusForbidden, map[caller]int{anonymous: 401})
	for _, r := range roles {
		e[r] = allowed
	}
	return e
}

// everyone: the same status for every caller.
func everyone(status int) expectations { return fill(status, nil) }

func fill(def int, except map[caller]int) expectations {
	e := expectations{}
	for _, c := range allCallers() {
		e[c] = def
		if v, ok := except[c]; ok {
			e[c] = v
		}
	}
	return e
}

// matrix is the expected answer of every route to every caller. A route
// in the OpenAPI document (and so served: access.Router serves nothing
// else) without a row here fails the test.
func matrix() map[string]expectations {
	return map[string]expectations{
		// The gateway itself.
		"GET /readyz":           public(),
		"GET /api/openapi.json": public(),
		"GET /api/{path}":       everyone(http.StatusNotFound),

		// auth
		"POST /api/auth/signup":                 public(),
		"POST /api/auth/verify-email":           public(),
		"POST /api/auth/signin":                 public(),
		"POST /api/auth/signin/totp":            signedIn(),
		"POST /api/auth/signout":                signedIn(),
		"POST /api/auth/password-reset":         public(),
		"POST /api/auth/password-reset/confirm": public(),
		"POST /api/auth/password":               signedIn(),
		"POST /api/auth/token":                  public(),
		"GET /api/auth/me":                      signedIn(),
		"GET /api/auth/me/cnp":                  citizensOnly(),
		"GET /api/auth/me/export":               citizensOnly(),
		"POST /api/auth/me/close":               citizensOnly(),
		"GET /api/auth/sessions":                signedIn(),
		"DELETE /api/auth/sessions/{session}":   signedIn(),
		"POST /api/auth/totp/setup":             signedIn(),
		"POST /api/auth/totp/enable":            signedIn(),

		// institutions: the directory is public; staff lists for those who
		// hold users.read; changes for the administrator.
		"GET /api/institutions":                                                public(),
		"GET /api/institutions/{institution}":                                  public(),
		"PATCH /api/institutions/{institution}":                                staffOf(administrator),
		"POST /api/institutions/{institution}/institutions":                    staffOf(administrator),
		"POST /api/institutions/{institution}/departments":                     staffOf(administrator),
		"GET /api/institutions/{institution}/departments/{department}":         public(),
		"PATCH /api/institutions/{institution}/departments/{department}":       staffOf(administrator),
		"DELETE /api/institutions/{institution}/departments/{department}":      staffOf(administrator),
		"GET /api/institutions/{institution}/staff":                            staffOf(headOfDepartment, secretaryGeneral, auditor, administrator),
		"POST /api/institutions/{institution}/staff":                           staffOf(administrator),
		"GET /api/institutions/{institution}/machine-clients":                  staffOf(headOfDepartment, secretaryGeneral, auditor, administrator),
		"POST /api/institutions/{institution}/machine-clients":                 staffOf(administrator),
		"POST /api/institutions/{institution}/machine-clients/{client}/rotate": staffOf(administrator),
		"DELETE /api/institutions/{institution}/machine-clients/{client}":      staffOf(administrator),

		// assign-role: roles.assign to change, users.read to see.
		"GET /api/institutions/{institution}/role-assignments":                 staffOf(headOfDepartment, secretaryGeneral, auditor, administrator),
		"POST /api/institutions/{institution}/role-assignments":                staffOf(administrator, integration),
		"DELETE /api/institutions/{institution}/role-assignments/{assignment}": staffOf(administrator, integration),

		// audit-trail: auditors, and administrators (who hold every permission).
		"GET /api/institutions/{institution}/audit":              staffOf(auditor, administrator),
		"GET /api/institutions/{institution}/audit/verification": staffOf(auditor, administrator),

		// filing-plan: the plan for whoever reads the registry, changes for
		// whoever configures it, inventories for whoever exports it.
		"GET /api/institutions/{institution}/filing-plan":                  staffOf(registrar, clerk, headOfDepartment, signatory, secretaryGeneral, auditor, administrator),
		"POST /api/institutions/{institution}/filing-plan":                 staffOf(administrator),
		"POST /api/institutions/{institution}/filing-plan/copies":          staffOf(administrator),
		"GET /api/institutions/{institution}/filing-plan/{file}":           staffOf(registrar, clerk, headOfDepartment, signatory, secretaryGeneral, auditor, administrator),
		"PATCH /api/institutions/{institution}/filing-plan/{file}":         staffOf(administrator),
		"POST /api/institutions/{institution}/filing-plan/{file}/closure":  staffOf(administrator),
		"GET /api/institutions/{institution}/filing-plan/{file}/inventory": staffOf(registrar, secretaryGeneral, administrator),

		// register-document: the registry's permissions; a citizen reads the
		// entries that concern it (any other is not found for it).
		"GET /api/institutions/{institution}/registers":                   registryReaders(),
		"POST /api/institutions/{institution}/registers":                  staffOf(administrator),
		"GET /api/institutions/{institution}/registers/{register}":        registryReaders(),
		"PATCH /api/institutions/{institution}/registers/{register}":      staffOf(administrator),
		"GET /api/institutions/{institution}/registers/{register}/export": staffOf(registrar, secretaryGeneral, administrator),
		"GET /api/institutions/{institution}/registry-entries":            registryReaders(),
		"POST /api/institutions/{institution}/registry-entries":           staffOf(registrar, administrator, integration),
		"GET /api/institutions/{institution}/registry-entries/{entry}":    withCitizens(registryReaders()),
		"PATCH /api/institutions/{institution}/registry-entries/{entry}":  staffOf(registrar, administrator, integration),
		// A registrar passes the route's rule; the handler lets them annul
		// only their own entry within the institution's window.
		"POST /api/institutions/{institution}/registry-entries/{entry}/annulment":                              staffOf(registrar, secretaryGeneral, administrator, integration),
		"GET /api/institutions/{institution}/registry-entries/{entry}/links":                                   registryReaders(),
		"POST /api/institutions/{institution}/registry-entries/{entry}/links":                                  staffOf(registrar, administrator, integration),
		"GET /api/institutions/{institution}/registry-practice":                                                registryReaders(),
		"PUT /api/institutions/{institution}/registry-practice":                                                staffOf(administrator),
		"GET /api/institutions/{institution}/registry-entries/{entry}/receipt":                                 withCitizens(registryReaders()),
		"POST /api/institutions/{institution}/registry-entries/{entry}/documents":                              staffOf(registrar, clerk, headOfDepartment, administrator, integration),
		"POST /api/institutions/{institution}/registry-entries/{entry}/documents/{document}/versions":          staffOf(registrar, clerk, headOfDepartment, administrator, integration),
		"GET /api/institutions/{institution}/registry-entries/{entry}/documents/{document}/versions/{version}": staffOf(registrar, clerk, headOfDepartment, signatory, secretaryGeneral, administrator),

		// request-types: the catalogue is public; defining types is the
		// administrator's (requests.types.manage).
		"GET /api/institutions/{institution}/request-types":                                        public(),
		"POST /api/institutions/{institution}/request-types":                                       staffOf(administrator),
		"GET /api/institutions/{institution}/request-types/all":                                    staffOf(administrator),
		"GET /api/institutions/{institution}/request-types/{type}":                                 public(),
		"POST /api/institutions/{institution}/request-types/{type}/withdrawal":                     staffOf(administrator),
		"GET /api/institutions/{institution}/request-types/{type}/versions":                        staffOf(administrator),
		"POST /api/institutions/{institution}/request-types/{type}/versions":                       staffOf(administrator),
		"GET /api/institutions/{institution}/request-types/{type}/versions/{version}":              staffOf(administrator),
		"PUT /api/institutions/{institution}/request-types/{type}/versions/{version}":              staffOf(administrator),
		"POST /api/institutions/{institution}/request-types/{type}/versions/{version}/publication": staffOf(administrator),

		// submit-request: citizens submit and follow their requests (row-level
		// security and the applicant check hide the others'); staff who read
		// requests see them; the status lookup is public.
		"POST /api/institutions/{institution}/requests":                       citizensOnly(),
		"GET /api/me/requests":                                                citizensOnly(),
		"GET /api/institutions/{institution}/requests/{request}":              withCitizens(requestReaders()),
		"GET /api/institutions/{institution}/requests/{request}/files/{file}": withCitizens(requestReaders()),
		"POST /api/institutions/{institution}/requests/{request}/info":        citizensOnly(),
		"GET /api/institutions/{institution}/request-status":                  public(),

		// nightly-backup: the backups' status, a backup now and a fixity check
		// now, for the platform's operators (backup.manage in a top-level
		// institution; TestBackupsAndFixityBelongToTheOperators refuses a
		// subordinate institution's administrator on its own institution).
		"GET /api/institutions/{institution}/backups":                staffOf(administrator),
		"POST /api/institutions/{institution}/backups":               staffOf(administrator),
		"POST /api/institutions/{institution}/backups/fixity-checks": staffOf(administrator),

		// handle-request: the work list for whoever reads requests; actions
		// for whoever resolves them, assignment for heads of department.
		"GET /api/institutions/{institution}/requests":                         requestReaders(),
		"GET /api/institutions/{institution}/statistics/requests":              requestReaders(),
		"POST /api/institutions/{institution}/requests/{request}/assignment":   staffOf(headOfDepartment, administrator),
		"POST /api/institutions/{institution}/requests/{request}/start":        requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/info-request": requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/extension":    requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/resolution":   requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/rejection":    requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/forwarding":   requestResolvers(),
		"POST /api/institutions/{institution}/requests/{request}/filing":       requestResolvers(),

		// notify: every account its own in-app notifications (row-level
		// security hides the others'); templates and failed messages for
		// holders of notifications.manage.
		"GET /api/me/notifications":                                             signedIn(),
		"POST /api/me/notifications/{notification}/read":                        signedIn(),
		"GET /api/institutions/{institution}/message-templates":                 staffOf(administrator),
		"GET /api/institutions/{institution}/message-templates/{name}/{locale}": staffOf(administrator),
		"PUT /api/institutions/{institution}/message-templates/{name}/{locale}": staffOf(administrator),
		"GET /api/institutions/{institution}/messages":                          staffOf(administrator),
	}
}

// registryReaders: every staff role that holds registry.read.
func registryReaders() expectations {
	return staffOf(registrar, clerk, headOfDepartment, signatory, secretaryGeneral, auditor, administrator)
}

// requestReaders: every staff role that holds requests.read.
func requestReaders() expectations {
	return staffOf(clerk, headOfDepartment, secretaryGeneral, administrator)
}

// requestResolvers: every staff role that holds requests.resolve.
func requestResolvers() expectations {
	return staffOf(clerk, headOfDepartment, administrator)
}

// withCitizens: e, and citizens too (row-level security then shows them
// only their own rows).
func withCitizens(e expectations) expectations {
	e[citizen], e[otherCitizen] = allowed, allowed
	return e
}

// documentedOperations lists "METHOD path" of every operation in the
// OpenAPI document, sorted.
func documentedOperations(t *testing.T) []string {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(httpapi.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for key := range item {
			// A path item also holds parameters, summary...: only methods are operations.
			if method := strings.ToUpper(key); slices.Contains(httpMethods(), method) {
				ops = append(ops, method+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

func httpMethods() []string {
	return []string{"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}
}

var pathWildcard = regexp.MustCompile(`\{([a-z]+)\}`)

// TestEveryRouteAuthorizesEveryCaller calls every route of every function,
// through the gateway as in production, as every kind of caller, and
// checks each answer.
func TestEveryRouteAuthorizesEveryCaller(t *testing.T) {
	p := startPlatform(t, "", nil, httpFunctions()...)
	tn := seedTenants(t, p)
	m, err := devbroker.Load(filepath.Join(repoRoot, "k8s", "base"))
	if err != nil {
		t.Fatal(err)
	}
	gw, err := devbroker.NewGateway(m.HTTPRoutes, devbroker.GatewayOptions{Resolver: p.resolve, OpenAPI: httpapi.OpenAPI(),
		Functions: p.functions, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	gateway := httptest.NewServer(gw)
	t.Cleanup(gateway.Close)

	rows := matrix()
	ops := documentedOperations(t)
	for _, op := range ops {
		if _, ok := rows[op]; !ok {
			t.Errorf("route %s has no row in the authorization matrix: add one", op)
		}
	}
	for op := range rows {
		if !slices.Contains(ops, op) {
			t.Errorf("the matrix has a row for %s, which is not a route", op)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	values := map[string]string{"institution": tn.a.String(), "path": "no-such-thing"}
	for _, op := range ops {
		method, pattern, _ := strings.Cut(op, " ")
		path := pathWildcard.ReplaceAllStringFunc(pattern, func(w string) string {
			if v, ok := values[strings.Trim(w, "{}")]; ok {
				return v
			}
			return uuid.NewString() // an id nobody has
		})
		for _, c := range allCallers() {
			want := rows[op][c]
			t.Run(fmt.Sprintf("%s/%s", op, c), func(t *testing.T) {
				client := &apiClient{t: t, base: gateway.URL, http: http.DefaultClient, bearer: tn.session(t, p, c),
					ip: fmt.Sprintf("192.0.2.%d", 1+slices.Index(allCallers(), c))}
				var body any
				if method != http.MethodGet {
					body = map[string]any{}
				}
				r := client.do(method, path, body)
				switch {
				case want == allowed && (r.status == http.StatusUnauthorized || r.status == http.StatusForbidden):
					t.Errorf("%s as %s: %d %s, want it allowed", op, c, r.status, r.body)
				case want != allowed && r.status != want:
					t.Errorf("%s as %s: %d %s, want %d", op, c, r.status, r.body, want)
				}
			})
		}
	}
}

// httpFunctions are the functions that serve HTTP routes.
func httpFunctions() []string {
	return []string{"auth", "assign-role", "audit-trail", "institutions", "register-document", "filing-plan", "submit-request", "handle-request",
		"request-types", "notify", "nightly-backup"}
}

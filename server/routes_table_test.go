package server_test

// routeAccess says, for every route linkwork serves, who may use it. It is written out by
// hand, apart from linkwork.Policy, so that a change to the policy or to a route's
// permission shows up here as a failing test. A route missing from this table fails the
// test too: add it, with the roles that should reach it.
//
// "anonymous" is a request with no session and no token.
var routeAccess = map[string][]string{
	// Operations
	"GET /healthz": everyone,
	"GET /metrics": everyone,

	// The home page: a public landing page, or the place's sections for people signed in.
	"GET /{$}": everyone,

	// Signing in and first run
	"GET /signin":   everyone,
	"POST /signin":  everyone,
	"POST /signout": everyone,
	"GET /setup":    everyone,
	"POST /setup":   everyone,
	"GET /reset":    everyone,
	"POST /reset":   everyone,
	"GET /static/":  everyone,

	// Own account
	"GET /account":                     signedIn,
	"POST /account/password":           signedIn,
	"POST /account/place":              signedIn,
	"GET /account/tokens":              signedIn,
	"POST /account/tokens":             signedIn,
	"POST /account/tokens/{id}/revoke": signedIn,
	"GET /api/v1/me":                   signedIn,
	"GET /api/v1/tokens":               signedIn,
	"POST /api/v1/tokens":              signedIn,
	"DELETE /api/v1/tokens/{id}":       signedIn,
	"GET /api/v1/openapi.json":         everyone,

	// Organisations: everyone signed in sees them; administrators change them.
	"GET /organisations":               signedIn,
	"GET /organisations/new":           {"admin"},
	"POST /organisations":              {"admin"},
	"GET /organisations/{id}":          signedIn,
	"GET /organisations/{id}/edit":     {"admin"},
	"POST /organisations/{id}":         {"admin"},
	"GET /api/v1/organisations":        signedIn,
	"POST /api/v1/organisations":       {"admin"},
	"GET /api/v1/organisations/{id}":   signedIn,
	"PATCH /api/v1/organisations/{id}": {"admin"},

	// Users: administrators see and manage everyone in the place; managers see their team.
	"GET /users":                   {"admin", "manager"},
	"GET /users/new":               {"admin"},
	"POST /users":                  {"admin"},
	"GET /users/{id}":              {"admin", "manager"},
	"POST /users/{id}/memberships": {"admin"},
	"POST /users/{id}/memberships/{org}/remove":   {"admin"},
	"POST /users/{id}/reset-link":                 {"admin"},
	"POST /users/{id}/unlock":                     {"admin"},
	"GET /api/v1/users":                           {"admin", "manager"},
	"POST /api/v1/users":                          {"admin"},
	"GET /api/v1/users/{id}":                      {"admin", "manager"},
	"PUT /api/v1/users/{id}/memberships/{org}":    {"admin"},
	"DELETE /api/v1/users/{id}/memberships/{org}": {"admin"},
	"POST /api/v1/users/{id}/reset-link":          {"admin"},
	"POST /api/v1/users/{id}/unlock":              {"admin"},

	// Postcodes and deprivation: reference data for everyone signed in.
	"GET /api/v1/postcodes/{postcode}": signedIn,

	// The Open Referral UK API: open data, for everyone without a key.
	"GET /oruk/{$}":                       everyone,
	"GET /oruk/services":                  everyone,
	"GET /oruk/services/{id}":             everyone,
	"GET /oruk/service_at_locations":      everyone,
	"GET /oruk/service_at_locations/{id}": everyone,
	"GET /oruk/taxonomies":                everyone,
	"GET /oruk/taxonomies/{id}":           everyone,
	"GET /oruk/taxonomy_terms":            everyone,
	"GET /oruk/taxonomy_terms/{id}":       everyone,

	// The audit trail: administrators only.
	"GET /audit":        {"admin"},
	"GET /api/v1/audit": {"admin"},

	// The directory pages. A service's page is public. Administrators keep every entry;
	// managers and community organisations their own organisation's (the fixture's service
	// is X's, where they are). Only administrators add to the taxonomies. The directory of
	// link workers is for every role but community, and each of them keeps their own entry;
	// administrators and managers keep their organisation's link workers' entries (the
	// fixture's is employed by X).
	"GET /directory":                everyone,
	"GET /directory/services/{id}":  everyone,
	"GET /services":                 {"admin", "manager", "community"},
	"GET /services/new":             {"admin", "manager", "community"},
	"POST /services":                {"admin", "manager", "community"},
	"GET /services/{id}/edit":       {"admin", "manager", "community"},
	"POST /services/{id}":           {"admin", "manager", "community"},
	"POST /services/{id}/verify":    {"admin", "manager", "community"},
	"GET /taxonomies":               {"admin"},
	"POST /taxonomies/{code}/terms": {"admin"},
	"GET /practitioners":            {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"GET /practitioners/me":         {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"POST /practitioners/me":        {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"GET /practitioners/new":        {"admin", "manager"},
	"POST /practitioners":           {"admin", "manager"},
	"GET /practitioners/{id}":       {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"GET /practitioners/{id}/edit":  {"admin", "manager"},
	"POST /practitioners/{id}":      {"admin", "manager"},

	// The directory API. Services: administrators keep every entry, managers and community
	// organisations their own organisation's (the fixture's service is in X, where they are).
	// Taxonomies: everyone reads them; administrators add terms. Link workers: every role but
	// community sees the directory and keeps their own entry; administrators and managers
	// keep their organisation's entries.
	"GET /api/v1/services":                 {"admin", "manager", "community"},
	"POST /api/v1/services":                {"admin", "manager", "community"},
	"GET /api/v1/services/{id}":            {"admin", "manager", "community"},
	"PUT /api/v1/services/{id}":            {"admin", "manager", "community"},
	"POST /api/v1/services/{id}/verify":    {"admin", "manager", "community"},
	"GET /api/v1/taxonomies":               signedIn,
	"POST /api/v1/taxonomies/{code}/terms": {"admin"},
	"GET /api/v1/practitioners":            {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"POST /api/v1/practitioners":           {"admin", "manager"},
	"GET /api/v1/practitioners/me":         {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"PUT /api/v1/practitioners/me":         {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"GET /api/v1/practitioners/{id}":       {"admin", "commissioner", "manager", "link_worker", "referrer"},
	"PUT /api/v1/practitioners/{id}":       {"admin", "manager"},

	// Directory search. The public search the web pages (their place's community offers);
	// the API's search, which finds connector schemes too, is for everyone signed in.
	"GET /api/v1/search": signedIn,

	// The referrals API. Sending and routing: every role but administrators and
	// commissioners. Seeing referrals and their letters: every role but commissioners, each
	// only through their own organisations (the handler answers 404 for the rest). Deciding
	// and the schemes' queues: managers and link workers. Caseload limits: managers (of the
	// fixture's link worker's organisation). Capacity, counts only: administrators,
	// commissioners and managers.
	"POST /api/v1/referrals":                  {"manager", "link_worker", "referrer", "community"},
	"POST /api/v1/referrals/routes":           {"manager", "link_worker", "referrer", "community"},
	"GET /api/v1/referrals":                   {"admin", "manager", "link_worker", "referrer", "community"},
	"GET /api/v1/referrals/{id}":              {"admin", "manager", "link_worker", "referrer", "community"},
	"GET /api/v1/referrals/{id}/letter":       {"admin", "manager", "link_worker", "referrer", "community"},
	"POST /api/v1/referrals/{id}/transitions": {"manager", "link_worker"},
	"GET /api/v1/schemes/{id}/queue":          {"manager", "link_worker"},
	"GET /api/v1/schemes/{id}/waiting":        {"manager", "link_worker"},
	"GET /api/v1/capacity":                    {"admin", "commissioner", "manager"},
	"PUT /api/v1/users/{id}/caseload-limit":   {"manager"},

	// The casework API. Case records: link workers and managers, each only in their own
	// organisations (the handler answers 404 for the rest); erasure: managers. Onward
	// referrals: the receiving group's inbox for community organisations and managers; one
	// referral is seen and answered by its group and by the person's link workers (the
	// handler checks which, and refuses other roles). Questionnaires: link workers and
	// managers use them, administrators define them and keep the casework settings.
	"GET /api/v1/people":                              {"manager", "link_worker"},
	"POST /api/v1/people":                             {"manager", "link_worker"},
	"POST /api/v1/referrals/{id}/person":              {"manager", "link_worker"},
	"GET /api/v1/people/{id}":                         {"manager", "link_worker"},
	"PUT /api/v1/people/{id}":                         {"manager", "link_worker"},
	"PATCH /api/v1/people/{id}":                       {"manager", "link_worker"},
	"GET /api/v1/people/{id}/record":                  {"manager", "link_worker"},
	"POST /api/v1/people/{id}/erase":                  {"manager"},
	"POST /api/v1/people/{id}/close":                  {"manager", "link_worker"},
	"GET /api/v1/caseload/week":                       {"manager", "link_worker"},
	"PUT /api/v1/people/{id}/what-matters":            {"manager", "link_worker"},
	"GET /api/v1/people/{id}/plan":                    {"manager", "link_worker"},
	"POST /api/v1/people/{id}/goals":                  {"manager", "link_worker"},
	"PUT /api/v1/people/{id}/goals/{goal}":            {"manager", "link_worker"},
	"POST /api/v1/people/{id}/goals/{goal}/steps":     {"manager", "link_worker"},
	"PUT /api/v1/people/{id}/steps/{step}":            {"manager", "link_worker"},
	"POST /api/v1/people/{id}/notes":                  {"manager", "link_worker"},
	"GET /api/v1/people/{id}/contacts":                {"manager", "link_worker"},
	"POST /api/v1/people/{id}/contacts":               {"manager", "link_worker"},
	"POST /api/v1/people/{id}/onward":                 {"manager", "link_worker"},
	"GET /api/v1/onward":                              {"manager", "community"},
	"GET /api/v1/onward/{id}":                         {"manager", "link_worker", "community"},
	"POST /api/v1/onward/{id}/answer":                 {"manager", "link_worker", "community"},
	"GET /api/v1/questionnaires":                      {"admin", "manager", "link_worker"},
	"POST /api/v1/questionnaires":                     {"admin"},
	"POST /api/v1/questionnaires/{id}/retire":         {"admin"},
	"PUT /api/v1/settings/swemwbs-wording":            {"admin"},
	"GET /api/v1/settings/retention":                  {"admin"},
	"PUT /api/v1/settings/retention":                  {"admin"},
	"GET /api/v1/people/{id}/questionnaires":          {"manager", "link_worker"},
	"POST /api/v1/people/{id}/questionnaires":         {"manager", "link_worker"},
	"PUT /api/v1/people/{id}/questionnaires/{rid}":    {"manager", "link_worker"},
	"DELETE /api/v1/people/{id}/questionnaires/{rid}": {"manager", "link_worker"},

	// The landscape API: the place's whole system (organisations and schemes, never people)
	// for those who plan and run it; gaps become funding opportunities by administrators
	// and commissioners.
	"GET /api/v1/landscape":               {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/coverage":      {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/overlaps":      {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/groups":        {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/gaps":          {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/fragmentation": {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/sectors":       {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/data-quality":  {"admin", "commissioner", "manager"},
	"GET /api/v1/landscape/funding":       {"admin", "commissioner", "manager"},
	"POST /api/v1/landscape/funding":      {"admin", "commissioner"},

	// The landscape report and its exports: the same people as the landscape API; only
	// administrators and commissioners turn gaps into funding opportunities.
	"GET /landscape":               {"admin", "commissioner", "manager"},
	"GET /landscape/cell":          {"admin", "commissioner", "manager"},
	"GET /landscape/export.xlsx":   {"admin", "commissioner", "manager"},
	"GET /landscape/export/{file}": {"admin", "commissioner", "manager"},
	"POST /landscape/funding":      {"admin", "commissioner"},

	// The measures: dashboards, their exports and the board pack for those who plan and
	// answer for the system (safe aggregates unless they see the people behind a scope);
	// the place's choice of measures, its rule for small numbers and its own measures for
	// administrators; an organisation's figures for its own measures for its managers (the
	// handler answers 403 for another organisation).
	"GET /measures":                             {"admin", "commissioner", "manager"},
	"GET /measures/export.xlsx":                 {"admin", "commissioner", "manager"},
	"GET /measures/export/{file}":               {"admin", "commissioner", "manager"},
	"GET /measures/pack":                        {"admin", "commissioner", "manager"},
	"GET /settings/measures":                    {"admin"},
	"POST /settings/measures":                   {"admin"},
	"POST /settings/measures/local":             {"admin"},
	"POST /settings/measures/local/{id}/retire": {"admin"},
	"GET /measures/local":                       {"manager"},
	"POST /measures/local":                      {"manager"},
	"GET /api/v1/measures":                      {"admin", "commissioner", "manager"},
	"GET /api/v1/measures/dashboard":            {"admin", "commissioner", "manager"},
	"PUT /api/v1/measures/settings":             {"admin"},
	"POST /api/v1/measures/local":               {"admin"},
	"PUT /api/v1/measures/local/{id}/values":    {"manager"},

	// The community group portal: community organisations and managers keep their own
	// groups' pages (the fixture's service is X's, where they are; another organisation's
	// records are 404). The place-wide list of requests is for those who see the
	// landscape; administrators and commissioners mark requests met.
	"GET /groups": {"manager", "community"},
	"POST /groups/services/{id}/availability":  {"manager", "community"},
	"POST /groups/services/{id}/accessibility": {"manager", "community"},
	"POST /groups/{org}/volunteers":            {"manager", "community"},
	"POST /groups/{org}/activities":            {"manager", "community"},
	"POST /groups/{org}/requests":              {"manager", "community"},
	"POST /groups/requests/{id}/withdraw":      {"manager", "community"},
	"GET /groups/requests":                     {"admin", "commissioner", "manager"},
	"POST /groups/requests/{id}/met":           {"admin", "commissioner"},
	"GET /api/v1/services/{id}/availability":   signedIn,
	"PUT /api/v1/services/{id}/availability":   {"manager", "community"},
	"GET /api/v1/groups/{org}/volunteers":      {"manager", "community"},
	"PUT /api/v1/groups/{org}/volunteers":      {"manager", "community"},
	"GET /api/v1/groups/{org}/activities":      {"manager", "community"},
	"POST /api/v1/groups/{org}/activities":     {"manager", "community"},
	"GET /api/v1/groups/requests":              {"admin", "commissioner", "manager", "community"},
	"POST /api/v1/groups/requests":             {"manager", "community"},
	"POST /api/v1/groups/requests/{id}/close":  {"admin", "commissioner", "manager", "community"},

	// The devolved budgets API. Pots and their ledgers: those who see budgets
	// (administrators and commissioners place-wide, managers and link workers their own
	// organisation's), and community groups the pots open to their applications; pots are
	// set up, topped up, closed and corrected by those who manage budgets. Spends: seen
	// through their pot, or by the group a grant is to; made by those who spend from a pot
	// (managers and link workers) and groups applying; decided and paid by those who spend
	// (the handler checks the pot and the approval threshold); withdrawn and reported on by
	// them or the group; refunds recorded by those who spend from or manage the pot. The
	// spend report: administrators and commissioners place-wide, managers for their own
	// organisations.
	"GET /api/v1/budgets/pots":                    {"admin", "commissioner", "manager", "link_worker", "community"},
	"POST /api/v1/budgets/pots":                   {"admin", "commissioner", "manager"},
	"GET /api/v1/budgets/pots/{id}":               {"admin", "commissioner", "manager", "link_worker"},
	"GET /api/v1/budgets/pots/{id}/ledger":        {"admin", "commissioner", "manager", "link_worker"},
	"POST /api/v1/budgets/pots/{id}/allocations":  {"admin", "commissioner", "manager"},
	"POST /api/v1/budgets/pots/{id}/close":        {"admin", "commissioner", "manager"},
	"POST /api/v1/budgets/entries/{id}/reversal":  {"admin", "commissioner", "manager"},
	"GET /api/v1/budgets/spends":                  {"admin", "commissioner", "manager", "link_worker", "community"},
	"POST /api/v1/budgets/spends":                 {"manager", "link_worker", "community"},
	"GET /api/v1/budgets/spends/{id}":             {"admin", "commissioner", "manager", "link_worker", "community"},
	"POST /api/v1/budgets/spends/{id}/decision":   {"manager", "link_worker"},
	"POST /api/v1/budgets/spends/{id}/payment":    {"manager", "link_worker"},
	"POST /api/v1/budgets/spends/{id}/withdrawal": {"manager", "link_worker", "community"},
	"POST /api/v1/budgets/spends/{id}/refunds":    {"admin", "commissioner", "manager", "link_worker"},
	"POST /api/v1/budgets/spends/{id}/report":     {"manager", "link_worker", "community"},
	"GET /api/v1/budgets/report":                  {"admin", "commissioner", "manager"},

	// The spend report page and its exports: the same people as the spend report API.
	"GET /budgets/report":               {"admin", "commissioner", "manager"},
	"GET /budgets/report/export.xlsx":   {"admin", "commissioner", "manager"},
	"GET /budgets/report/export/{file}": {"admin", "commissioner", "manager"},

	// The budget pages. Pots and spends: those who see budgets (place-wide for
	// administrators and commissioners, else their own organisation's; the handler answers
	// 404 for another's). Setting pots up, adding money, changing rules, closing and
	// reversing: those who manage budgets (the handler checks the pot's organisation).
	// Spending, deciding, paying and withdrawing: managers and link workers (the handler
	// checks CanSpendFrom or CanDecideSpend); money paid back: those who spend from the pot
	// or manage its budgets.
	"GET /budgets":                               {"admin", "commissioner", "manager", "link_worker"},
	"GET /budgets/new":                           {"admin", "commissioner", "manager"},
	"POST /budgets/new":                          {"admin", "commissioner", "manager"},
	"GET /budgets/{id}":                          {"admin", "commissioner", "manager", "link_worker"},
	"GET /budgets/{id}/edit":                     {"admin", "commissioner", "manager"},
	"POST /budgets/{id}/edit":                    {"admin", "commissioner", "manager"},
	"POST /budgets/{id}/allocate":                {"admin", "commissioner", "manager"},
	"POST /budgets/{id}/close":                   {"admin", "commissioner", "manager"},
	"POST /budgets/{id}/entries/{entry}/reverse": {"admin", "commissioner", "manager"},
	"GET /budgets/{id}/grant":                    {"manager", "link_worker"},
	"POST /budgets/{id}/grant":                   {"manager", "link_worker"},
	"GET /budgets/{id}/spends/{spend}/report":    {"manager", "link_worker"},
	"POST /budgets/{id}/spends/{spend}/report":   {"manager", "link_worker"},
	"GET /people/{id}/spend":                     {"manager", "link_worker"},
	"POST /people/{id}/spend":                    {"manager", "link_worker"},
	"GET /budgets/{id}/spends/{spend}":           {"admin", "commissioner", "manager", "link_worker"},
	"POST /budgets/{id}/spends/{spend}/decide":   {"manager", "link_worker"},
	"POST /budgets/{id}/spends/{spend}/pay":      {"manager", "link_worker"},
	"POST /budgets/{id}/spends/{spend}/withdraw": {"manager", "link_worker"},
	"POST /budgets/{id}/spends/{spend}/refund":   {"admin", "commissioner", "manager", "link_worker"},

	// Micro-grants, the group's side: community groups (and managers, for their own
	// organisation) apply, see their own applications (404 for others') and report back.
	"GET /grants":                {"manager", "community"},
	"GET /grants/apply":          {"manager", "community"},
	"POST /grants/apply":         {"manager", "community"},
	"GET /grants/{id}":           {"manager", "community"},
	"POST /grants/{id}/withdraw": {"manager", "community"},
	"GET /grants/{id}/report":    {"manager", "community"},
	"POST /grants/{id}/report":   {"manager", "community"},

	// The scoping sheet covers the whole place: administrators only (managers and community
	// organisations keep some of the directory, so the route lets them in and the page
	// turns them away).
	"GET /directory/scoping":          {"admin"},
	"POST /directory/scoping":         {"admin"},
	"GET /directory/scoping/template": {"admin"},
	"GET /directory/scoping/export":   {"admin"},

	// The referral pages. Referring: every role but administrators and commissioners.
	// Referrals and their letters: every role but commissioners, each only through their own
	// organisations (the handler answers 404 for the rest). Decisions and a scheme's queues:
	// managers and link workers (the handler checks the scheme is their organisation's).
	// Capacity: administrators, commissioners and managers. The public refer themselves.
	"GET /referrals/new":            {"manager", "link_worker", "referrer", "community"},
	"POST /referrals/new":           {"manager", "link_worker", "referrer", "community"},
	"GET /referrals":                {"admin", "manager", "link_worker", "referrer", "community"},
	"GET /referrals/{id}":           {"admin", "manager", "link_worker", "referrer", "community"},
	"GET /referrals/{id}/letter":    {"admin", "manager", "link_worker", "referrer", "community"},
	"POST /referrals/{id}/decision": {"manager", "link_worker"},
	"GET /schemes/{id}/triage":      {"manager", "link_worker"},
	"GET /schemes/{id}/waiting":     {"manager", "link_worker"},
	"GET /capacity":                 {"admin", "commissioner", "manager"},
	"GET /refer":                    everyone,
	"POST /refer":                   everyone,

	// Case records: link workers and managers, each only in their own organisations (the
	// handler answers 404 for anyone else's); erasure: managers.
	"GET /people":                          {"manager", "link_worker"},
	"GET /people/week":                     {"manager", "link_worker"},
	"GET /people/new":                      {"manager", "link_worker"},
	"POST /people":                         {"manager", "link_worker"},
	"POST /referrals/{id}/person":          {"manager", "link_worker"},
	"GET /people/{id}":                     {"manager", "link_worker"},
	"GET /people/{id}/edit":                {"manager", "link_worker"},
	"POST /people/{id}/edit":               {"manager", "link_worker"},
	"GET /people/{id}/what-matters":        {"manager", "link_worker"},
	"POST /people/{id}/what-matters":       {"manager", "link_worker"},
	"POST /people/{id}/goals":              {"manager", "link_worker"},
	"GET /people/{id}/goals/{goal}":        {"manager", "link_worker"},
	"POST /people/{id}/goals/{goal}":       {"manager", "link_worker"},
	"POST /people/{id}/goals/{goal}/steps": {"manager", "link_worker"},
	"GET /people/{id}/steps/{step}":        {"manager", "link_worker"},
	"POST /people/{id}/steps/{step}":       {"manager", "link_worker"},
	"POST /people/{id}/notes":              {"manager", "link_worker"},
	"GET /people/{id}/plan":                {"manager", "link_worker"},
	"GET /people/{id}/contacts":            {"manager", "link_worker"},
	"POST /people/{id}/contacts":           {"manager", "link_worker"},
	"GET /people/{id}/close":               {"manager", "link_worker"},
	"POST /people/{id}/close":              {"manager", "link_worker"},
	"GET /people/{id}/export.json":         {"manager", "link_worker"},
	"GET /people/{id}/export":              {"manager", "link_worker"},
	"GET /people/{id}/erase":               {"manager"},
	"POST /people/{id}/erase":              {"manager"},

	// Onward referrals: link workers and managers refer the people of their own
	// organisation's cases on (the handler answers 404 for anyone else's); the receiving
	// group's community members and managers answer those sent to their organisation's
	// offers (404 for the rest).
	"GET /people/{id}/onward/new":             {"manager", "link_worker"},
	"POST /people/{id}/onward":                {"manager", "link_worker"},
	"POST /people/{id}/onward/{oid}/withdraw": {"manager", "link_worker"},
	"GET /onward":                             {"manager", "community"},
	"GET /onward/{oid}":                       {"manager", "community"},
	"POST /onward/{oid}/answer":               {"manager", "community"},

	// The practitioners' forum: link workers, managers and administrators take part in
	// everything; community members see and join meetings (only those inviting their
	// organisation: the handler answers 404 for the rest). Changing a meeting and recording
	// who came: its organiser or an administrator (the handler answers 403 for anyone else).
	// Hiding posts and comments: administrators.
	"GET /forum":                                     {"admin", "manager", "link_worker"},
	"GET /forum/meetings":                            {"admin", "manager", "link_worker", "community"},
	"GET /forum/meetings/new":                        {"admin", "manager", "link_worker"},
	"POST /forum/meetings/new":                       {"admin", "manager", "link_worker"},
	"GET /forum/meetings/{id}":                       {"admin", "manager", "link_worker", "community"},
	"GET /forum/meetings/{id}/edit":                  {"admin", "manager", "link_worker"},
	"POST /forum/meetings/{id}/edit":                 {"admin", "manager", "link_worker"},
	"POST /forum/meetings/{id}/cancel":               {"admin", "manager", "link_worker"},
	"POST /forum/meetings/{id}/sign-up":              {"admin", "manager", "link_worker", "community"},
	"POST /forum/meetings/{id}/cancel-sign-up":       {"admin", "manager", "link_worker", "community"},
	"GET /forum/meetings/{id}/notes":                 {"admin", "manager", "link_worker"},
	"POST /forum/meetings/{id}/notes":                {"admin", "manager", "link_worker"},
	"POST /forum/meetings/{id}/attendance":           {"admin", "manager", "link_worker"},
	"GET /forum/posts":                               {"admin", "manager", "link_worker"},
	"GET /forum/posts/new":                           {"admin", "manager", "link_worker"},
	"POST /forum/posts/new":                          {"admin", "manager", "link_worker"},
	"GET /forum/posts/{id}":                          {"admin", "manager", "link_worker"},
	"POST /forum/posts/{id}/comments":                {"admin", "manager", "link_worker"},
	"POST /forum/posts/{id}/hide":                    {"admin"},
	"POST /forum/comments/{id}/hide":                 {"admin"},
	"GET /forum/people":                              {"admin", "manager", "link_worker"},
	"GET /api/v1/forum/meetings":                     {"admin", "manager", "link_worker", "community"},
	"POST /api/v1/forum/meetings":                    {"admin", "manager", "link_worker"},
	"GET /api/v1/forum/meetings/{id}":                {"admin", "manager", "link_worker", "community"},
	"PATCH /api/v1/forum/meetings/{id}":              {"admin", "manager", "link_worker"},
	"POST /api/v1/forum/meetings/{id}/sign-ups":      {"admin", "manager", "link_worker", "community"},
	"DELETE /api/v1/forum/meetings/{id}/sign-ups/me": {"admin", "manager", "link_worker", "community"},
	"PUT /api/v1/forum/meetings/{id}/attendance":     {"admin", "manager", "link_worker"},
	"PUT /api/v1/forum/meetings/{id}/notes":          {"admin", "manager", "link_worker"},
	"GET /api/v1/forum/posts":                        {"admin", "manager", "link_worker"},
	"POST /api/v1/forum/posts":                       {"admin", "manager", "link_worker"},
	"GET /api/v1/forum/posts/{id}":                   {"admin", "manager", "link_worker"},
	"POST /api/v1/forum/posts/{id}/comments":         {"admin", "manager", "link_worker"},

	// Questionnaires on a person's record: those who work on the organisation's cases.
	"GET /people/{id}/questionnaires/new":           {"manager", "link_worker"},
	"POST /people/{id}/questionnaires":              {"manager", "link_worker"},
	"GET /people/{id}/questionnaires/{rid}":         {"manager", "link_worker"},
	"POST /people/{id}/questionnaires/{rid}":        {"manager", "link_worker"},
	"POST /people/{id}/questionnaires/{rid}/delete": {"manager", "link_worker"},

	// Workloads: a link worker's own (link workers and managers); a team's (managers of
	// the organisation: the handler answers 403 to a link worker, and 404 or 403 for an
	// organisation that is not theirs). The NHS England extract: those who see measures,
	// place-wide for administrators and commissioners, a manager's own schemes.
	"GET /workload":                    {"manager", "link_worker"},
	"GET /workload/team":               {"manager"},
	"GET /api/v1/workload":             {"manager", "link_worker"},
	"GET /api/v1/workload/team":        {"manager"},
	"GET /measures/nhs-extract.csv":    {"admin", "commissioner", "manager"},
	"GET /api/v1/measures/nhs-extract": {"admin", "commissioner", "manager"},

	// A place's casework settings: retention, SWEMWBS wording, local questionnaires.
	"GET /settings/casework":                    {"admin"},
	"POST /settings/casework/retention":         {"admin"},
	"POST /settings/casework/swemwbs":           {"admin"},
	"POST /settings/questionnaires/{id}/retire": {"admin"},
	"GET /settings/questionnaires/new":          {"admin"},
	"POST /settings/questionnaires/new":         {"admin"},
}

var (
	roleNames = []string{"admin", "commissioner", "manager", "link_worker", "referrer", "community"}
	signedIn  = roleNames
	everyone  = append([]string{"anonymous"}, roleNames...)
)

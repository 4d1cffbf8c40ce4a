# The two quick-start commands (see README.md) and their companions.
.PHONY: demo test down
demo:   ## local cluster + operator (Helm) + the page-snapshot example, then one snapshot call
	e2e/bin/demo
test:   ## every test suite, for real (unit, API server, sidecars, clients, chart, cluster e2e)
	e2e/bin/run-all-tests
down:   ## tear the demo down
	e2e/bin/demo down

# The two quick-start commands (see README.md) and their companions.
.PHONY: demo test down kubectl-pg
demo:   ## local cluster + operator (Helm) + the page-snapshot example, then one snapshot call
	e2e/bin/demo
test:   ## every test suite, for real (unit, API server, sidecars, clients, chart, cluster e2e)
	e2e/bin/run-all-tests
down:   ## tear the demo down
	e2e/bin/demo down
kubectl-pg:   ## build the kubectl plugin into clients/kubectl-pg/bin (then: export PATH=$$PWD/clients/kubectl-pg/bin:$$PATH)
	clients/kubectl-pg/build

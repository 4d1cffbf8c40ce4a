// kubectl-pg: `kubectl pg ...`, PM2-style views and operations for Procgroup process groups. kubectl finds it as
// a plugin when an executable named kubectl-pg is on the PATH.
package main

import (
	"os"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/cmd"
)

func main() { os.Exit(cmd.Main(os.Args[1:])) }

// Package cmd is the kubectl-pg command line: kubectl's own connection flags (-n, --context, --kubeconfig,
// KUBECONFIG, ...), -o json|yaml|wide, and the commands list, logs, restart, scale and describe.
package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/kube"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"
)

// App holds what every command shares.
type App struct {
	Flags  *genericclioptions.ConfigFlags
	Out    io.Writer
	ErrOut io.Writer
	// TTY is true when stderr is a terminal: progress lines redraw in place there, and are printed once per change
	// elsewhere (logs, CI).
	TTY bool
	// Color is true when stdout is a terminal (log prefixes).
	Color bool
}

// Main runs the plugin and returns its exit code.
func Main(args []string) int {
	app := &App{
		Flags:  genericclioptions.NewConfigFlags(true),
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		TTY:    term.IsTerminal(int(os.Stderr.Fd())),
		Color:  term.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("NO_COLOR") == "",
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := app.Root()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return kube.ExitOK
	}
	fmt.Fprintln(app.ErrOut, "error:", err)
	var e *kube.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return kube.ExitUsage // cobra's own errors: unknown command or flag, wrong argument count
}

// Root is the command tree.
func (a *App) Root() *cobra.Command {
	root := &cobra.Command{
		Use:   "kubectl-pg",
		Short: "PM2-style views and operations for Procgroup process groups",
		Long: `kubectl pg: process groups (procgroups.procgroup.dev) the way pm2 shows processes.

  kubectl pg list [GROUP]                  every process: order, ready, restarts, phase, CPU, memory
  kubectl pg logs GROUP PROCESS [-f]       all replicas' logs interleaved, each line prefixed with its pod
  kubectl pg restart GROUP                 ordered restart, waits and shows progress order by order
  kubectl pg scale GROUP PROCESS N         set a process's scale
  kubectl pg describe GROUP                order plan, waits, events, hub objects and their providers

Exit codes: 0 ok, 1 failed (a restart whose process fails, other errors), 2 usage, 3 group or process not
found, 4 no permission (403) or not authenticated, 5 cluster unreachable, 6 timed out.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	a.Flags.AddFlags(root.PersistentFlags())
	root.AddCommand(a.listCmd(), a.logsCmd(), a.restartCmd(), a.scaleCmd(), a.describeCmd())
	return root
}

func (a *App) client() (*kube.Client, error) { return kube.New(a.Flags) }

// group is the client and the named ProcessGroup of the current namespace (exit 3 when it does not exist).
func (a *App) group(ctx context.Context, name string) (*kube.Client, *model.Group, error) {
	cl, err := a.client()
	if err != nil {
		return nil, nil, err
	}
	g, err := cl.Group(ctx, cl.Namespace, name)
	if err != nil {
		return nil, nil, err
	}
	return cl, g, nil
}

// process is the group's process of this name and its index, or a not-found error (exit 3) naming those it has.
func process(g *model.Group, name string) (model.ProcessSpec, int, error) {
	p, i, ok := g.Process(name)
	if !ok {
		return p, i, kube.Errorf(kube.ExitNotFound, "procgroup %q in namespace %q has no process %q (it has: %s)",
			g.Name, g.Namespace, name, processNames(g.Spec.Processes))
	}
	return p, i, nil
}

// usage is an argument error (exit 2).
func usage(format string, args ...any) error { return kube.Errorf(kube.ExitUsage, format, args...) }

// printStructured writes v as JSON or YAML (-o json|yaml).
func (a *App) printStructured(format string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	switch format {
	case "json":
		_, err = fmt.Fprintln(a.Out, string(b))
	case "yaml":
		y, yerr := yaml.JSONToYAML(b)
		if yerr != nil {
			return yerr
		}
		_, err = a.Out.Write(y)
	default:
		return usage("unknown output format %q: use json, yaml or wide", format)
	}
	return err
}

func checkOutput(o string) error {
	switch o {
	case "", "wide", "json", "yaml":
		return nil
	}
	return usage("unknown output format %q: use json, yaml or wide", o)
}

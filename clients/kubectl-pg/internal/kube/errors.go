package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Exit codes of kubectl-pg (README "kubectl pg"): scripts can tell a missing group from a refused permission
// from a cluster that does not answer.
const (
	ExitOK          = 0
	ExitFailed      = 1 // the command ran and what it waited for failed (a restart whose process fails), or any other error
	ExitUsage       = 2 // bad arguments or flags
	ExitNotFound    = 3 // the group or process does not exist
	ExitForbidden   = 4 // the API server refused a request (403)
	ExitUnreachable = 5 // the cluster did not answer (connection refused, DNS, TLS, timeout)
	ExitTimeout     = 6 // a wait (restart --timeout) ran out
)

// Error is an error with the exit code it maps to.
type Error struct {
	Code int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf makes an Error.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Classify turns a client-go error of the request "verb resource [name] in namespace" into the message and exit
// code a user can act on. host is the API server's address, for unreachable clusters.
func Classify(err error, verb, resource, name, namespace, host string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	where := ""
	if namespace != "" {
		where = fmt.Sprintf(" in namespace %q", namespace)
	}
	switch {
	case apierrors.IsNotFound(err):
		if name != "" {
			return Errorf(ExitNotFound, "%s %q not found%s", resource, name, where)
		}
		return Errorf(ExitNotFound, "%s not found%s (is the CRD installed? kubectl get crd procgroups.procgroup.dev)", resource, where)
	case apierrors.IsForbidden(err):
		return Errorf(ExitForbidden, "no permission to %s %s%s: %s", verb, resource, where, apiMessage(err))
	case apierrors.IsUnauthorized(err):
		return Errorf(ExitForbidden, "not authenticated to the cluster at %s (%s): check your kubeconfig's credentials", host, apiMessage(err))
	case unreachable(err):
		return Errorf(ExitUnreachable, "cannot reach the cluster at %s: %s", host, rootCause(err))
	}
	return Errorf(ExitFailed, "%s %s%s: %v", verb, resource, where, err)
}

func apiMessage(err error) string {
	var s apierrors.APIStatus
	if errors.As(err, &s) {
		return s.Status().Message
	}
	return err.Error()
}

func unreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var dns *net.DNSError
	var op *net.OpError
	var ue *url.Error
	if errors.As(err, &dns) || errors.As(err, &op) {
		return true
	}
	if errors.As(err, &ue) {
		return true // a transport error: the request never got an HTTP answer
	}
	msg := err.Error()
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") ||
		strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "TLS handshake")
}

func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		var op *net.OpError
		if errors.As(err, &op) {
			return op.Error()
		}
		err = u
	}
}

package kube

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func code(t *testing.T, err error) (int, string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	return e.Code, e.Msg
}

func TestErrorsNameWhatFailedWithTheirExitCode(t *testing.T) {
	gr := schema.GroupResource{Group: "procgroup.dev", Resource: "procgroups"}
	c, msg := code(t, Classify(apierrors.NewNotFound(gr, "nope"), "get", "procgroups.procgroup.dev", "nope", "shop", "https://127.0.0.1:6443"))
	if c != ExitNotFound || msg != `procgroups.procgroup.dev "nope" not found in namespace "shop"` {
		t.Fatalf("%d %s", c, msg)
	}
	forbidden := apierrors.NewForbidden(gr, "web", fmt.Errorf(`User "dev" cannot patch resource "procgroups" in API group "procgroup.dev" in the namespace "shop"`))
	c, msg = code(t, Classify(forbidden, "patch", "procgroups.procgroup.dev", "web", "shop", "h"))
	if c != ExitForbidden || !strings.HasPrefix(msg, `no permission to patch procgroups.procgroup.dev in namespace "shop": `) || !strings.Contains(msg, `User "dev" cannot patch`) {
		t.Fatalf("%d %s", c, msg)
	}
	c, msg = code(t, Classify(apierrors.NewUnauthorized("token expired"), "list", "pods", "", "shop", "https://h:6443"))
	if c != ExitForbidden || !strings.Contains(msg, "not authenticated to the cluster at https://h:6443") {
		t.Fatalf("%d %s", c, msg)
	}
	refused := &url.Error{Op: "Get", URL: "https://127.0.0.1:1/api", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
	c, msg = code(t, Classify(refused, "get", "procgroups.procgroup.dev", "x", "shop", "https://127.0.0.1:1"))
	if c != ExitUnreachable || !strings.HasPrefix(msg, "cannot reach the cluster at https://127.0.0.1:1: dial tcp") {
		t.Fatalf("%d %s", c, msg)
	}
	if Classify(nil, "get", "x", "", "", "") != nil {
		t.Fatal("nil stays nil")
	}
	// An error that already has its code keeps it.
	if c, _ := code(t, Classify(Errorf(ExitTimeout, "late"), "get", "x", "", "", "")); c != ExitTimeout {
		t.Fatal(c)
	}
}

// Package kube is the plugin's access to the cluster: kubectl's own flags and kubeconfig loading
// (k8s.io/cli-runtime: -n, --context, --kubeconfig, KUBECONFIG, ...), the ProcessGroup resource through the
// dynamic client, and pods, Deployments, events and the pod proxy through client-go.
package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/model"
	"github.com/procgroup/procgroup/clients/kubectl-pg/internal/rules"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// GroupResource is the ProcessGroup CRD's resource.
var GroupResource = schema.GroupVersionResource{Group: rules.Group, Version: rules.Version, Resource: rules.Plural}

// GroupResourceName is how errors name it (procgroups.procgroup.dev).
var GroupResourceName = rules.Plural + "." + rules.Group

// Client talks to the cluster the kubeconfig (and kubectl's flags) select.
type Client struct {
	Namespace string
	Host      string
	Core      kubernetes.Interface
	Dynamic   dynamic.Interface
}

// New builds a client from kubectl's flags; the namespace is -n, else the context's, else "default".
func New(flags *genericclioptions.ConfigFlags) (*Client, error) {
	loader := flags.ToRawKubeConfigLoader()
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		return nil, Errorf(ExitUnreachable, "no usable kubeconfig: %v", err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, Errorf(ExitUsage, "namespace: %v", err)
	}
	return FromConfig(cfg, ns)
}

// FromConfig builds a client from a REST config.
func FromConfig(cfg *rest.Config, namespace string) (*Client, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "kubectl-pg"
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{Namespace: namespace, Host: cfg.Host, Core: core, Dynamic: dyn}, nil
}

func (c *Client) classify(err error, verb, resource, name, ns string) error {
	return Classify(err, verb, resource, name, ns, c.Host)
}

// Group reads one group.
func (c *Client) Group(ctx context.Context, ns, name string) (*model.Group, error) {
	u, err := c.Dynamic.Resource(GroupResource).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, c.classify(err, "get", GroupResourceName, name, ns)
	}
	return decode(u)
}

// Groups lists the groups of a namespace, or of every namespace when ns is "".
func (c *Client) Groups(ctx context.Context, ns string) ([]model.Group, error) {
	list, err := c.Dynamic.Resource(GroupResource).Namespace(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, c.classify(err, "list", GroupResourceName, "", ns)
	}
	out := make([]model.Group, 0, len(list.Items))
	for i := range list.Items {
		g, err := decode(&list.Items[i])
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, nil
}

// WatchGroup watches one group (for restart's progress).
func (c *Client) WatchGroup(ctx context.Context, ns, name string) (watch.Interface, error) {
	w, err := c.Dynamic.Resource(GroupResource).Namespace(ns).Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
	return w, c.classify(err, "watch", GroupResourceName, name, ns)
}

// Decode converts a watched or listed object.
func Decode(u *unstructured.Unstructured) (*model.Group, error) { return decode(u) }

func decode(u *unstructured.Unstructured) (*model.Group, error) {
	raw, err := u.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var g model.Group
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("decoding procgroup %s/%s: %w", u.GetNamespace(), u.GetName(), err)
	}
	return &g, nil
}

// Annotate sets an annotation on a group (a merge patch: nothing else of the object changes).
func (c *Client) Annotate(ctx context.Context, ns, name, key, value string) (*model.Group, error) {
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{key: value}}})
	u, err := c.Dynamic.Resource(GroupResource).Namespace(ns).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-pg"})
	if err != nil {
		return nil, c.classify(err, "patch", GroupResourceName, name, ns)
	}
	return decode(u)
}

// JSONPatch applies a JSON patch (RFC 6902) to a group: spec.processes is a list, so a change to one entry is
// addressed by index, guarded by a test of its name.
func (c *Client) JSONPatch(ctx context.Context, ns, name string, ops []map[string]any) (*model.Group, error) {
	patch, _ := json.Marshal(ops)
	u, err := c.Dynamic.Resource(GroupResource).Namespace(ns).Patch(ctx, name, types.JSONPatchType, patch, metav1.PatchOptions{FieldManager: "kubectl-pg"})
	if err != nil {
		return nil, c.classify(err, "patch", GroupResourceName, name, ns)
	}
	return decode(u)
}

// Pods lists a group's pods, or one process's when process is not "".
func (c *Client) Pods(ctx context.Context, ns, group, process string) ([]corev1.Pod, error) {
	list, err := c.Core.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: PodSelector(group, process)})
	if err != nil {
		return nil, c.classify(err, "list", "pods", "", ns)
	}
	return list.Items, nil
}

// WatchPods watches the pods of a process, from a list's resource version.
func (c *Client) WatchPods(ctx context.Context, ns, group, process, resourceVersion string) (watch.Interface, error) {
	w, err := c.Core.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: PodSelector(group, process), ResourceVersion: resourceVersion})
	return w, c.classify(err, "watch", "pods", "", ns)
}

// PodSelector selects a group's (or a process's) pods, as the operator labels them.
func PodSelector(group, process string) string {
	set := labels.Set{rules.GroupLabel: group}
	if process != "" {
		set[rules.ProcessLabel] = process
	}
	return labels.SelectorFromSet(set).String()
}

// Deployments lists the group's Deployments, by process name.
func (c *Client) Deployments(ctx context.Context, ns, group string) (map[string]appsv1.Deployment, error) {
	list, err := c.Core.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{LabelSelector: PodSelector(group, "")})
	if err != nil {
		return nil, c.classify(err, "list", "deployments.apps", "", ns)
	}
	out := map[string]appsv1.Deployment{}
	for _, d := range list.Items {
		out[d.Labels[rules.ProcessLabel]] = d
	}
	return out, nil
}

// Events returns the events whose object is the group.
func (c *Client) Events(ctx context.Context, ns, group string) ([]corev1.Event, error) {
	sel := "involvedObject.kind=" + rules.Kind + ",involvedObject.name=" + group
	list, err := c.Core.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: sel})
	if err != nil {
		return nil, c.classify(err, "list", "events", "", ns)
	}
	return list.Items, nil
}

// SidecarGet reads a path of a pod's sidecar ops port (/metrics, /objects) through the API server's pod proxy
// (pods/proxy, GET): no port-forward, and the request comes from the API server, not from this machine.
func (c *Client) SidecarGet(ctx context.Context, ns, pod, path string) ([]byte, error) {
	b, err := c.Core.CoreV1().Pods(ns).ProxyGet("http", pod, strconv.Itoa(rules.MetricsPort), path, nil).DoRaw(ctx)
	if err != nil {
		return nil, c.classify(err, "get", "pods/proxy", pod, ns)
	}
	return b, nil
}

// Logs opens a stream of an app container's log, stamped by the kubelet.
func (c *Client) Logs(ns, pod string, opts *corev1.PodLogOptions) *rest.Request {
	return c.Core.CoreV1().Pods(ns).GetLogs(pod, opts)
}

// LogError classifies an error of reading a pod's log.
func (c *Client) LogError(err error, ns, pod string) error {
	return c.classify(err, "get", "pods/log", pod, ns)
}

// Package rules holds the names and numbers the operator and the CRD define in Java (crds: ProcessGroup,
// Reserved; operator: desired/Labels, desired/Names). They are copied here by hand, and
// operator/src/test/java/dev/procgroup/operator/KubectlPgRulesTest.java fails when a value here and its Java
// source disagree: change both together.
package rules

const (
	// Group is the CRD's API group (ProcessGroup.GROUP).
	Group = "procgroup.dev"
	// Version is the CRD's served version (ProcessGroup.VERSION).
	Version = "v1alpha1"
	// Plural is the CRD's resource name (@Plural on ProcessGroup).
	Plural = "procgroups"
	// Kind is the CRD's kind (the class name ProcessGroup).
	Kind = "ProcessGroup"
	// RestartedAtAnnotation asks for an ordered restart when set to a new value (ProcessGroup.RESTARTED_AT_ANNOTATION);
	// the operator copies it into each process's pod template, order by order.
	RestartedAtAnnotation = "procgroup.dev/restartedAt"

	// GroupLabel is on every pod and object of a group (Labels.GROUP).
	GroupLabel = "procgroup.dev/group"
	// ProcessLabel is on every pod, Deployment and Service of a process (Labels.PROCESS).
	ProcessLabel = "procgroup.dev/process"
	// OrderLabel is on a process's Deployment (Labels.ORDER; not on pods).
	OrderLabel = "procgroup.dev/order"

	// HubContainer is the sidecar's container name (Reserved.HUB_CONTAINER).
	HubContainer = "procgroup-hub"
	// MetricsPort serves /metrics, the probes and /objects on every pod (Reserved.METRICS_PORT).
	MetricsPort = 9464
	// PeerPort is the sidecars' mTLS peer API (Reserved.PEER_PORT).
	PeerPort = 7071
	// HubPort is the app-facing hub API on 127.0.0.1 (Reserved.HUB_PORT).
	HubPort = 7070
)

// ReservedPrefix starts the names the Pandora API reserves for its plumbing ($dispatch, $getProperty, ...:
// clients/conformance/rules.json "pandora"; rules_test.go reads that file). They are no method a user wrote,
// so describe leaves them out, as the clients' proxies hide them. It has no Java twin, so it
// stays out of the const block above that KubectlPgRulesTest holds to the Java rules.
const ReservedPrefix = "$"

// DeploymentName is the name of a process's Deployment, autoscaler and Service (Names.process).
func DeploymentName(group, process string) string { return group + "-" + process }

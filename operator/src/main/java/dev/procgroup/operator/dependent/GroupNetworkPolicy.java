package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.DesiredNetworkPolicy;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The group's NetworkPolicy {@code <group>-hub} ({@link DesiredNetworkPolicy}), level-triggered like the hub RBAC.
 * The reconciler leaves what it needs in the workflow context ({@link Settings}): the operator's sidecar ports and
 * the scrapers' namespaces are configuration, which JOSDK's no-argument dependents cannot be given otherwise.
 */
@KubernetesDependent(informer = @Informer(name = "network-policies", labelSelector = Labels.OWNED_SELECTOR))
public class GroupNetworkPolicy extends CRUDKubernetesDependentResource<NetworkPolicy, ProcessGroup> {
  public GroupNetworkPolicy() {
    super(NetworkPolicy.class);
  }

  @Override
  protected NetworkPolicy desired(ProcessGroup pg, Context<ProcessGroup> context) {
    Settings s = context.managedWorkflowAndDependentResourceContext().getMandatory(Settings.KEY, Settings.class);
    return DesiredNetworkPolicy.of(pg, s.sidecar(), s.metricsNamespaces());
  }

  /** The configuration the policy is made from, put into the context by the reconciler before each workflow run. */
  public record Settings(dev.procgroup.operator.OperatorConfig.SidecarConfig sidecar,
      java.util.Set<String> metricsNamespaces) {
    public static final String KEY = "procgroup.networkPolicy";
  }
}

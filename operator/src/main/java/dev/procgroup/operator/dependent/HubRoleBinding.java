package dev.procgroup.operator.dependent;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The group's hub RoleBinding `<group>-hub`, kept as {@link dev.procgroup.operator.desired.HubAccess} wants it. */
@KubernetesDependent(informer = @Informer(name = "hub-role-bindings", labelSelector = Labels.OWNED_SELECTOR))
public class HubRoleBinding extends HubRbacDependent<RoleBinding> {
  public HubRoleBinding() {
    super(RoleBinding.class);
  }
}

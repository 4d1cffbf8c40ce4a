package dev.procgroup.operator.dependent;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The group's hub Role `<group>-hub`, kept as {@link dev.procgroup.operator.desired.HubAccess} wants it. */
@KubernetesDependent(informer = @Informer(name = "hub-roles", labelSelector = Labels.OWNED_SELECTOR))
public class HubRole extends HubRbacDependent<Role> {
  public HubRole() {
    super(Role.class);
  }
}

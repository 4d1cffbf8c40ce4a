package dev.procgroup.operator.dependent;

import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The group's hub ServiceAccount `<group>-hub`, kept as {@link dev.procgroup.operator.desired.HubAccess} wants it. */
@KubernetesDependent(informer = @Informer(name = "hub-service-accounts", labelSelector = Labels.OWNED_SELECTOR))
public class HubServiceAccount extends HubRbacDependent<ServiceAccount> {
  public HubServiceAccount() {
    super(ServiceAccount.class);
  }
}

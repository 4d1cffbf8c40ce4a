package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.DesiredHubService;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * The group's hub Service {@code <group>-hub} ({@link DesiredHubService}), level-triggered like the hub RBAC. It
 * shares the reconciler's Service informer (the workflow names it), where JOSDK finds it by name among the group's
 * process Services; those are {@link dev.procgroup.operator.ProcessServices}'.
 */
public class HubService extends CRUDKubernetesDependentResource<Service, ProcessGroup> {
  public HubService() {
    super(Service.class);
  }

  @Override
  protected Service desired(ProcessGroup pg, Context<ProcessGroup> context) {
    return DesiredHubService.of(pg);
  }
}

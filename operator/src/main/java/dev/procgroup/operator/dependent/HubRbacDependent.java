package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.HubAccess;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/**
 * One of the group's hub RBAC objects ({@link HubAccess#rbac}) as a JOSDK dependent resource: compared with its
 * desired form on every reconcile from the informer cache (server-side-apply matching: only fields we own count),
 * recreated when deleted, re-applied when edited, and garbage-collected with the group through its owner reference.
 */
abstract class HubRbacDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, ProcessGroup> {
  HubRbacDependent(Class<R> type) {
    super(type);
  }

  @Override
  protected R desired(ProcessGroup pg, Context<ProcessGroup> context) {
    return HubAccess.rbac(pg).stream().filter(resourceType()::isInstance).map(resourceType()::cast).findFirst()
        .orElseThrow(() -> new IllegalStateException("HubAccess.rbac makes no " + resourceType().getSimpleName()));
  }
}

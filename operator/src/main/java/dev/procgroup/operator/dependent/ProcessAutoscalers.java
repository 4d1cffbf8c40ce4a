package dev.procgroup.operator.dependent;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.desired.DesiredAutoscaler;
import dev.procgroup.operator.desired.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One HorizontalPodAutoscaler per autoscaled process, as a bulk dependent: level-triggered from the informer cache,
 * so a deleted or edited autoscaler is repaired, and one the spec no longer asks for is deleted (retried on every
 * reconcile until it is gone, so none is orphaned by one failed delete). An autoscaler exists only beside its
 * process's Deployment: a process held behind a lower order gets none yet, as it has nothing to scale.
 */
@KubernetesDependent(informer = @Informer(name = "autoscalers", labelSelector = Labels.OWNED_SELECTOR))
public class ProcessAutoscalers extends CRUDKubernetesDependentResource<HorizontalPodAutoscaler, ProcessGroup>
    implements KubernetesBulkDependentResource<HorizontalPodAutoscaler, ProcessGroup> {

  public ProcessAutoscalers() {
    super(HorizontalPodAutoscaler.class);
  }

  @Override
  public Map<ResourceID, HorizontalPodAutoscaler> desiredResources(ProcessGroup pg, Context<ProcessGroup> context) {
    Set<String> deployed = context.getSecondaryResources(Deployment.class).stream()
        .filter(d -> d.getMetadata().getDeletionTimestamp() == null)
        .map(d -> d.getMetadata().getName()).collect(Collectors.toSet());
    Map<ResourceID, HorizontalPodAutoscaler> desired = new HashMap<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      if (p.getAutoscale() == null) continue;
      HorizontalPodAutoscaler hpa = DesiredAutoscaler.of(pg, p);
      if (deployed.contains(hpa.getSpec().getScaleTargetRef().getName())) desired.put(ResourceID.fromResource(hpa), hpa);
    }
    return desired;
  }

  @Override
  public Map<ResourceID, HorizontalPodAutoscaler> getSecondaryResources(ProcessGroup pg,
      Context<ProcessGroup> context) {
    return context.getSecondaryResources(HorizontalPodAutoscaler.class).stream()
        .collect(Collectors.toMap(ResourceID::fromResource, h -> h));
  }
}

package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.AutoscaleSpec;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;

/** The HorizontalPodAutoscaler of an autoscaled process (Pandora's scale('auto'), but bounded and CPU-aware). */
public final class DesiredAutoscaler {
  public static final int DEFAULT_TARGET_CPU = 80;

  private DesiredAutoscaler() {}

  public static HorizontalPodAutoscaler of(ProcessGroup pg, ProcessSpec p) {
    AutoscaleSpec a = p.getAutoscale();
    String group = pg.getMetadata().getName();
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
          .withName(Names.process(group, p.getName()))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(Labels.owned(group))
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withNewSpec()
          .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
            .withName(Names.process(group, p.getName())).endScaleTargetRef()
          .withMinReplicas(a.getMin())
          .withMaxReplicas(a.getMax())
          .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
            .withType("Utilization")
            .withAverageUtilization(a.getTargetCPUUtilizationPercentage() != null
                ? a.getTargetCPUUtilizationPercentage() : DEFAULT_TARGET_CPU)
          .endTarget().endResource().endMetric()
        .endSpec()
        .build();
  }
}

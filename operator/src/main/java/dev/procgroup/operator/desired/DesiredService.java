package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.Expose;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Optional;

/**
 * The Service a process should have, so it is reachable by DNS name as it was behind a load balancer: a pure
 * function of the group and the process, empty when the process exposes nothing. It selects the process's pods
 * and publishes only Ready ones, so a process whose order has not started yet has a Service without endpoints.
 */
public final class DesiredService {
  public static final String HEADLESS = "None";
  public static final String DEFAULT_PROTOCOL = "TCP";

  private DesiredService() {}

  public static Optional<Service> of(ProcessGroup pg, ProcessSpec p) {
    Expose expose = p.effectiveExpose();
    if (expose == Expose.None) return Optional.empty();
    String group = pg.getMetadata().getName();
    return Optional.of(new ServiceBuilder()
        .withNewMetadata()
          .withName(Names.process(group, p.getName()))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(Labels.process(group, p))
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withClusterIP(expose == Expose.Headless ? HEADLESS : null)
          .withSelector(Labels.selector(group, p.getName()))
          .withPorts(ports(p.getPorts()))
          .withPublishNotReadyAddresses(false)
        .endSpec()
        .build());
  }

  /** The DNS name a Service answers to inside the cluster. */
  public static String address(Service s) {
    return s.getMetadata().getName() + "." + s.getMetadata().getNamespace() + ".svc";
  }

  static List<ServicePort> ports(List<ContainerPort> ports) {
    return ports.stream().map(c -> new ServicePortBuilder()
        .withName(named(c) ? c.getName() : null)
        .withPort(c.getContainerPort())
        .withTargetPort(named(c) ? new IntOrString(c.getName()) : new IntOrString(c.getContainerPort()))
        .withProtocol(c.getProtocol() != null ? c.getProtocol() : DEFAULT_PROTOCOL)
        .build()).toList();
  }

  private static boolean named(ContainerPort c) {
    return c.getName() != null && !c.getName().isEmpty();
  }
}

package dev.procgroup.operator.desired;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who may reach a group's pods (one NetworkPolicy per group, Ingress only): the hub's peer port from the group's own
 * pods, the metrics port from the namespaces a Prometheus runs in, each process's declared {@code ports} from
 * anywhere (they are the app's; its Service publishes them), nothing else. The app-facing hub port listens on
 * localhost and needs no rule. Egress is not limited: where an app may call out is the user's policy, not ours.
 */
public final class DesiredNetworkPolicy {
  /** The label every namespace carries with its own name (set by the API server, immutable). */
  static final String NAMESPACE_NAME = "kubernetes.io/metadata.name";

  private DesiredNetworkPolicy() {}

  /**
   * @param metricsNamespaces where scrapers run (the chart's {@code networkPolicy.metricsNamespaces})
   */
  public static NetworkPolicy of(ProcessGroup pg, SidecarConfig sidecar, Set<String> metricsNamespaces) {
    String group = pg.getMetadata().getName();
    List<NetworkPolicyIngressRule> rules = new ArrayList<>();
    rules.add(new NetworkPolicyIngressRuleBuilder()
        .addNewFrom().withNewPodSelector().withMatchLabels(Map.of(Labels.GROUP, group)).endPodSelector().endFrom()
        .withPorts(tcp(sidecar.peerPort())).build());
    if (!metricsNamespaces.isEmpty()) {
      rules.add(new NetworkPolicyIngressRuleBuilder()
          .addNewFrom().withNewNamespaceSelector().addNewMatchExpression().withKey(NAMESPACE_NAME).withOperator("In")
            .withValues(List.copyOf(new java.util.TreeSet<>(metricsNamespaces))).endMatchExpression()
          .endNamespaceSelector().endFrom()
          .withPorts(tcp(sidecar.metricsPort())).build());
    }
    List<NetworkPolicyPort> appPorts = appPorts(pg);
    if (!appPorts.isEmpty()) rules.add(new NetworkPolicyIngressRuleBuilder().withPorts(appPorts).build());
    return new NetworkPolicyBuilder()
        .withNewMetadata()
          .withName(Names.hub(group))
          .withNamespace(pg.getMetadata().getNamespace())
          .withLabels(Labels.owned(group))
          .withOwnerReferences(Owner.of(pg))
        .endMetadata()
        .withNewSpec()
          .withNewPodSelector().withMatchLabels(Map.of(Labels.GROUP, group)).endPodSelector()
          .withPolicyTypes("Ingress")
          .withIngress(rules)
        .endSpec()
        .build();
  }

  /** Every process's declared ports, once each, by number and protocol (sorted, so the policy is stable). */
  static List<NetworkPolicyPort> appPorts(ProcessGroup pg) {
    Map<String, NetworkPolicyPort> ports = new TreeMap<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      if (p.getPorts() == null) continue;
      for (ContainerPort c : p.getPorts()) {
        String protocol = c.getProtocol() != null ? c.getProtocol() : DesiredService.DEFAULT_PROTOCOL;
        ports.put(String.format("%05d/%s", c.getContainerPort(), protocol), new NetworkPolicyPortBuilder()
            .withProtocol(protocol).withPort(new IntOrString(c.getContainerPort())).build());
      }
    }
    return List.copyOf(ports.values());
  }

  private static NetworkPolicyPort tcp(int port) {
    return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
  }
}

package dev.procgroup.operator.desired;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredNetworkPolicyTest {
  static ProcessGroup shop() {
    ProcessSpec web = process("web", 1, 2);
    web.setPorts(List.of(port("http", 8080), port(null, 8443)));
    ProcessSpec api = process("api", 0, 1);
    api.setPorts(List.of(port("http", 8080)));
    return group("shop", api, web, process("worker", 2, 1));
  }

  final NetworkPolicy policy = DesiredNetworkPolicy.of(shop(), SidecarConfig.defaults(), Set.of("monitoring", "obs"));

  @Test
  void selectsTheGroupsPodsAndLimitsIngressOnly() {
    assertThat(policy.getMetadata().getName()).isEqualTo("shop-hub");
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Map.of(Labels.GROUP, "shop"));
    assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(policy.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getName()).isEqualTo("shop"));
  }

  @Test
  void thePeerPortOnlyFromTheGroupTheMetricsPortOnlyFromScrapersTheAppsPortsFromAnywhere() {
    List<NetworkPolicyIngressRule> rules = policy.getSpec().getIngress();
    assertThat(rules).hasSize(3);
    assertThat(rules.get(0).getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(7071));
    assertThat(rules.get(0).getFrom()).singleElement().satisfies(f -> {
      assertThat(f.getPodSelector().getMatchLabels()).isEqualTo(Map.of(Labels.GROUP, "shop"));
      assertThat(f.getNamespaceSelector()).as("same namespace only").isNull();
    });
    assertThat(rules.get(1).getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getIntVal()).isEqualTo(9464));
    assertThat(rules.get(1).getFrom().get(0).getNamespaceSelector().getMatchExpressions()).singleElement()
        .satisfies(e -> {
          assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
          assertThat(e.getValues()).containsExactly("monitoring", "obs");
        });
    assertThat(rules.get(2).getFrom()).as("from anywhere").isNullOrEmpty();
    assertThat(rules.get(2).getPorts()).extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
        .containsExactly("8080/TCP", "8443/TCP");
  }

  @Test
  void noScrapersNoMetricsRuleNoPortsNoAppRule() {
    NetworkPolicy bare = DesiredNetworkPolicy.of(group("g", process("a", 0, 1)), SidecarConfig.defaults(), Set.of());
    assertThat(bare.getSpec().getIngress()).singleElement()
        .satisfies(r -> assertThat(r.getPorts().get(0).getPort().getIntVal()).isEqualTo(7071));
  }
}

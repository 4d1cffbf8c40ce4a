package dev.procgroup.operator.desired;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.Expose;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.OperatorConfig.SidecarConfig;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredServiceTest {
  ProcessSpec web(Expose expose) {
    ProcessSpec web = process("web", 1, 2);
    web.setPorts(List.of(port("http", 5511)));
    web.setExpose(expose);
    return web;
  }

  ProcessGroup shop(ProcessSpec p) {
    return group("shop", process("agent", 0, 1), p);
  }

  Service serviceOf(ProcessSpec p) {
    return DesiredService.of(shop(p), p).orElseThrow();
  }

  @Test
  void processWithPortsGetsAClusterIpServiceNamedLabelledAndOwnedLikeItsDeployment() {
    ProcessSpec web = web(null);
    Service s = serviceOf(web);
    Deployment d = DesiredDeployment.of(shop(web), web, SidecarConfig.defaults());
    assertThat(s.getMetadata().getName()).isEqualTo("shop-web").isEqualTo(d.getMetadata().getName());
    assertThat(s.getMetadata().getNamespace()).isEqualTo("default");
    assertThat(s.getMetadata().getLabels()).isEqualTo(d.getMetadata().getLabels())
        .containsEntry(Labels.PROCESS, "web").containsEntry(Labels.ORDER, "1");
    assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ProcessGroup");
      assertThat(o.getUid()).isEqualTo("uid-shop");
      assertThat(o.getController()).isTrue();
    });
    assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(s.getSpec().getClusterIP()).as("allocated by the API server").isNull();
    assertThat(s.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels())
        .containsOnly(Map.entry(Labels.GROUP, "shop"), Map.entry(Labels.PROCESS, "web"));
    assertThat(s.getSpec().getPublishNotReadyAddresses()).as("only Ready pods are endpoints").isFalse();
    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(5511);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
      assertThat(p.getProtocol()).isEqualTo("TCP");
    });
    assertThat(DesiredService.address(s)).isEqualTo("shop-web.default.svc");
  }

  @Test
  void explicitClusterIpIsTheSameAsTheDefault() {
    assertThat(serviceOf(web(Expose.ClusterIP))).isEqualTo(serviceOf(web(null)));
  }

  @Test
  void headlessHasNoClusterIp() {
    Service s = serviceOf(web(Expose.Headless));
    assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(s.getSpec().getSelector()).containsOnlyKeys(Labels.GROUP, Labels.PROCESS);
    assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("http");
  }

  @Test
  void everyPortIsMappedByNameWithItsProtocol() {
    ProcessSpec p = web(null);
    p.setPorts(List.of(port("http", 8080), port("metrics", 9100),
        new ContainerPortBuilder().withName("dns").withContainerPort(53).withProtocol("UDP").build()));
    assertThat(serviceOf(p).getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, sp -> sp.getTargetPort().getStrVal(),
            ServicePort::getProtocol)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("http", 8080, "http", "TCP"),
            org.assertj.core.groups.Tuple.tuple("metrics", 9100, "metrics", "TCP"),
            org.assertj.core.groups.Tuple.tuple("dns", 53, "dns", "UDP"));
  }

  @Test
  void anUnnamedPortIsTargetedByNumber() {
    ProcessSpec p = web(null);
    p.setPorts(List.of(port(null, 5511)));
    ServicePort sp = serviceOf(p).getSpec().getPorts().get(0);
    assertThat(sp.getName()).isNull();
    assertThat(sp.getTargetPort().getIntVal()).isEqualTo(5511);
    assertThat(sp.getTargetPort().getStrVal()).isNull();
  }

  @Test
  void noPortsNoService() {
    ProcessSpec p = process("worker", 0, 1);
    assertThat(DesiredService.of(shop(p), p)).isEmpty();
    p.setPorts(List.of());
    assertThat(DesiredService.of(shop(p), p)).isEmpty();
  }

  @Test
  void exposeNoneNoService() {
    ProcessSpec p = web(Expose.None);
    assertThat(DesiredService.of(shop(p), p)).isEmpty();
  }

  @Test
  void autoscaledProcessesServiceDoesNotCarryTheDeploymentsAutoscalerMarker() {
    ProcessSpec p = web(null);
    p.setScale(null);
    p.setAutoscale(new dev.procgroup.api.v1alpha1.AutoscaleSpec(1, 3));
    assertThat(serviceOf(p).getMetadata().getLabels()).doesNotContainKey(Labels.AUTOSCALED);
  }
}

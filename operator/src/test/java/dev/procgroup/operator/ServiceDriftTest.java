package dev.procgroup.operator;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;

import dev.procgroup.api.v1alpha1.Expose;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.operator.desired.DesiredService;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ServiceDriftTest {
  static ProcessSpec web(Expose expose) {
    ProcessSpec web = process("web", 1, 2);
    web.setPorts(List.of(port("http", 5511), port("metrics", 9100)));
    web.setExpose(expose);
    return web;
  }

  static Service desired(Expose expose) {
    ProcessSpec web = web(expose);
    ProcessGroup pg = group("shop", web);
    return DesiredService.of(pg, web).orElseThrow();
  }

  /** The desired Service as the API server returns it: defaults filled in, ports reordered, a label added. */
  static Service observed(Service want, Consumer<Service> change) {
    Service s = Serialization.unmarshal(Serialization.asJson(want), Service.class);
    s.getMetadata().setUid("svc-uid");
    s.getMetadata().setResourceVersion("42");
    s.getMetadata().getLabels().put("team", "payments");
    if (s.getSpec().getClusterIP() == null) s.getSpec().setClusterIP("10.0.0.17");
    s.getSpec().setClusterIPs(List.of(s.getSpec().getClusterIP()));
    s.getSpec().setIpFamilies(List.of("IPv4"));
    s.getSpec().setIpFamilyPolicy("SingleStack");
    s.getSpec().setSessionAffinity("None");
    s.getSpec().setInternalTrafficPolicy("Cluster");
    s.getSpec().setPublishNotReadyAddresses(null); // false is omitted on the wire
    List<io.fabric8.kubernetes.api.model.ServicePort> ports = new ArrayList<>(s.getSpec().getPorts());
    Collections.reverse(ports);
    s.getSpec().setPorts(ports);
    change.accept(s);
    return s;
  }

  static ServiceDrift drift(Consumer<Service> change) {
    Service want = desired(null);
    return ServiceDrift.of(want, observed(want, change));
  }

  @Test
  void whatTheApiServerDefaultsOrOthersAddIsNotDrift() {
    assertThat(drift(s -> {})).isEqualTo(ServiceDrift.NONE);
    Service headless = desired(Expose.Headless);
    assertThat(ServiceDrift.of(headless, observed(headless, s -> {}))).isEqualTo(ServiceDrift.NONE);
  }

  @Test
  void missingIsApplied() {
    assertThat(ServiceDrift.of(desired(null), null)).isEqualTo(ServiceDrift.APPLY);
  }

  @Test
  void changedSelectorIsDrift() {
    assertThat(drift(s -> s.getSpec().setSelector(Map.of("app", "other")))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getSelector().put("extra", "x"))).isEqualTo(ServiceDrift.APPLY);
  }

  @Test
  void changedPortsAreDrift() {
    assertThat(drift(s -> s.getSpec().getPorts().get(0).setPort(9999))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getPorts().get(0).setTargetPort(new IntOrString(1234))))
        .isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getPorts().get(0).setName("renamed"))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getPorts().get(0).setProtocol("UDP"))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getPorts().remove(0))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().getPorts().add(new ServicePortBuilder().withName("debug").withPort(9229)
        .withTargetPort(new IntOrString(9229)).withProtocol("TCP").build()))).isEqualTo(ServiceDrift.APPLY);
  }

  @Test
  void changedLabelsTypeReadinessOrOwnerAreDrift() {
    assertThat(drift(s -> s.getMetadata().getLabels().put("procgroup.dev/order", "7"))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getMetadata().getLabels().remove("procgroup.dev/process"))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().setType("NodePort"))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getSpec().setPublishNotReadyAddresses(true))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getMetadata().setOwnerReferences(List.of()))).isEqualTo(ServiceDrift.APPLY);
    assertThat(drift(s -> s.getMetadata().getOwnerReferences().get(0).setUid("another-group")))
        .isEqualTo(ServiceDrift.APPLY);
  }

  @Test
  void switchingBetweenClusterIpAndHeadlessNeedsANewService() {
    Service clusterIp = desired(Expose.ClusterIP);
    Service headless = desired(Expose.Headless);
    assertThat(ServiceDrift.of(headless, observed(clusterIp, s -> {}))).isEqualTo(ServiceDrift.RECREATE);
    assertThat(ServiceDrift.of(clusterIp, observed(headless, s -> {}))).isEqualTo(ServiceDrift.RECREATE);
  }
}

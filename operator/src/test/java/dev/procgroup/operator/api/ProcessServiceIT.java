package dev.procgroup.operator.api;

import static dev.procgroup.operator.Specs.group;
import static dev.procgroup.operator.Specs.port;
import static dev.procgroup.operator.Specs.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.Expose;
import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.ServiceDrift;
import dev.procgroup.operator.desired.DesiredService;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Every process with ports gets its own Service, kept as desired against drift, deletion and spec changes. */
class ProcessServiceIT extends ApiTestSupport {

  ProcessGroup shop(Expose webExpose) {
    ProcessSpec web = process("web", 1, 2);
    web.setPorts(List.of(port("http", 5511), port("metrics", 9100)));
    web.setExpose(webExpose);
    return group("shop", process("agent", 0, 1), web);
  }

  @Test
  void aPortedProcessGetsAServiceByPortNameSelectingItsPodsWhateverItsOrder() {
    hold("shop-agent"); // order 1 (web) is not started ...
    ProcessGroup pg = create(shop(null));
    Service s = awaitService("shop-web", x -> true);
    assertThat(deployment("shop-web")).as("... yet its Service exists").isNull();

    assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(s.getSpec().getClusterIP()).isNotBlank().isNotEqualTo("None");
    assertThat(s.getSpec().getSelector())
        .containsOnly(Map.entry("procgroup.dev/group", "shop"), Map.entry("procgroup.dev/process", "web"));
    assertThat(s.getSpec().getPublishNotReadyAddresses()).isNotEqualTo(Boolean.TRUE);
    assertThat(s.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getStrVal(), ServicePort::getProtocol)
        .containsExactly(Tuple.tuple("http", 5511, "http", "TCP"), Tuple.tuple("metrics", 9100, "metrics", "TCP"));
    assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("ProcessGroup");
      assertThat(o.getUid()).isEqualTo(pg.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    assertThat(service("shop-agent")).as("a process without ports gets no Service").isNull();
    assertThat(ServiceDrift.of(desired(get("shop"), "web"), s))
        .as("what the API server made of the applied Service is converged: no write on the next reconcile")
        .isEqualTo(ServiceDrift.NONE);

    release("shop-agent");
    awaitPhase("shop", "Running");
    assertThat(awaitStatus("shop", st -> serviceOf(st, "web") != null).getProcesses())
        .extracting(ProcessStatus::getName, ProcessStatus::getService)
        .containsExactly(Tuple.tuple("agent", null), Tuple.tuple("web", "shop-web." + ns + ".svc"));
  }

  @Test
  void aHeadlessProcessGetsAHeadlessService() {
    create(shop(Expose.Headless));
    Service s = awaitService("shop-web", x -> true);
    assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("http", "metrics");
    assertThat(ServiceDrift.of(desired(get("shop"), "web"), s)).isEqualTo(ServiceDrift.NONE);
  }

  @Test
  void switchingClusterIpToHeadlessRecreatesTheService() {
    create(shop(Expose.ClusterIP));
    String uid = awaitService("shop-web", x -> true).getMetadata().getUid();
    change("shop", pg -> pg.getSpec().getProcesses().get(1).setExpose(Expose.Headless));
    Service s = awaitService("shop-web", x -> !uid.equals(x.getMetadata().getUid()));
    assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
    await().atMost(Duration.ofSeconds(10)).until(() -> eventReasons().contains("ServiceRecreated"));
  }

  @Test
  void exposeNoneAndARemovedProcessDeleteTheirServices() {
    ProcessGroup spec = shop(null);
    ProcessSpec api = process("api", 1, 1);
    api.setPorts(List.of(port("grpc", 9000)));
    spec.getSpec().getProcesses().add(api);
    create(spec);
    awaitService("shop-web", x -> true);
    awaitService("shop-api", x -> true);
    awaitPhase("shop", "Running");

    change("shop", pg -> {
      pg.getSpec().getProcesses().get(1).setExpose(Expose.None);
      pg.getSpec().getProcesses().removeIf(p -> p.getName().equals("api"));
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> service("shop-web") == null && service("shop-api") == null);
    assertThat(awaitStatus("shop", st -> st.getObservedGeneration() == 2L && serviceOf(st, "web") == null)
        .getProcesses()).extracting(ProcessStatus::getName).containsExactly("agent", "web");
    assertThat(eventReasons()).contains("ServiceRemoved");
  }

  @Test
  void removingThePortsDeletesTheService() {
    create(shop(null));
    awaitService("shop-web", x -> true);
    change("shop", pg -> pg.getSpec().getProcesses().get(1).setPorts(null));
    await().atMost(Duration.ofSeconds(10)).until(() -> service("shop-web") == null);
  }

  @Test
  void aServiceDeletedByHandIsRecreated() {
    create(shop(null));
    String uid = awaitService("shop-web", x -> true).getMetadata().getUid();
    awaitPhase("shop", "Running"); // settled: only the deletion's own event can bring the Service back
    client.services().inNamespace(ns).withName("shop-web").delete();
    Service again = awaitService("shop-web", x -> !uid.equals(x.getMetadata().getUid()));
    assertThat(again.getSpec().getPorts()).extracting(ServicePort::getName).containsExactly("http", "metrics");
  }

  @Test
  void aHandEditedSelectorIsRepaired() {
    create(shop(null));
    awaitService("shop-web", x -> true);
    client.services().inNamespace(ns).withName("shop-web").edit(s -> {
      s.getSpec().setSelector(Map.of("app", "something-else"));
      return s;
    });
    Service s = awaitService("shop-web", x -> x.getSpec().getSelector().containsKey("procgroup.dev/process"));
    assertThat(s.getSpec().getSelector())
        .containsOnly(Map.entry("procgroup.dev/group", "shop"), Map.entry("procgroup.dev/process", "web"));
    await().atMost(Duration.ofSeconds(10)).until(() -> eventReasons().contains("ServiceUpdated"));
  }

  @Test
  void handEditedPortsAreRepaired() {
    create(shop(null));
    awaitService("shop-web", x -> true);
    client.services().inNamespace(ns).withName("shop-web").edit(s -> {
      s.getSpec().getPorts().get(0).setPort(6000);                        // a new list entry, owned by the editor
      s.getSpec().getPorts().get(1).setTargetPort(new IntOrString(9999)); // a field of ours, taken over
      return s;
    });
    Service s = awaitService("shop-web", x -> x.getSpec().getPorts().size() == 2
        && x.getSpec().getPorts().stream().noneMatch(p -> p.getPort() == 6000)
        && x.getSpec().getPorts().stream().allMatch(p -> p.getTargetPort().getStrVal() != null));
    assertThat(s.getSpec().getPorts())
        .extracting(ServicePort::getName, ServicePort::getPort, p -> p.getTargetPort().getStrVal())
        .containsExactlyInAnyOrder(Tuple.tuple("http", 5511, "http"), Tuple.tuple("metrics", 9100, "metrics"));
    assertThat(ServiceDrift.of(desired(get("shop"), "web"), s)).isEqualTo(ServiceDrift.NONE);
  }

  static Service desired(ProcessGroup pg, String process) {
    ProcessSpec p = pg.getSpec().getProcesses().stream().filter(x -> x.getName().equals(process)).findFirst()
        .orElseThrow();
    return DesiredService.of(pg, p).orElseThrow();
  }

  static String serviceOf(dev.procgroup.api.v1alpha1.ProcessGroupStatus s, String process) {
    return s.getProcesses().stream().filter(p -> p.getName().equals(process)).findFirst()
        .map(ProcessStatus::getService).orElse(null);
  }

  /** Changes the spec, again on a conflict: the operator adds its finalizer and writes the status meanwhile. */
  void change(String name, java.util.function.Consumer<ProcessGroup> change) {
    await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k
        && k.getCode() == 409).until(() -> {
          ProcessGroup pg = get(name);
          change.accept(pg);
          client.resource(pg).update();
          return true;
        });
  }

  Service service(String name) {
    return client.services().inNamespace(ns).withName(name).get();
  }

  Service awaitService(String name, Predicate<Service> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Service s = service(name);
      return s != null && condition.test(s);
    });
    return service(name);
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(ns).list().getItems().stream().map(Event::getReason).toList();
  }
}

package dev.procgroup.operator.api;

import static org.awaitility.Awaitility.await;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** Shared by the API tests: the cluster, a fresh namespace per test, and waits. */
abstract class ApiTestSupport {
  static TestCluster cluster;
  static KubernetesClient client;
  String ns;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.get();
    client = cluster.client;
  }

  @BeforeEach
  void namespace() {
    ns = cluster.newNamespace();
  }

  ProcessGroup create(ProcessGroup pg) {
    pg.getMetadata().setNamespace(ns);
    return client.resource(pg).create();
  }

  /**
   * A spec change as a patch of the latest version (what kubectl edit does): the operator's status writes move the
   * resourceVersion, so an update of an object read before would be refused with 409 now and then.
   */
  void editSpec(String name, java.util.function.Consumer<ProcessGroup> change) {
    client.resources(ProcessGroup.class).inNamespace(ns).withName(name).edit(pg -> {
      change.accept(pg);
      return pg;
    });
  }

  /** {@link #editSpec} with the spec and annotations of a group read and changed before. */
  void updateGroup(ProcessGroup changed) {
    editSpec(changed.getMetadata().getName(), latest -> {
      latest.setSpec(changed.getSpec());
      latest.getMetadata().setAnnotations(changed.getMetadata().getAnnotations());
    });
  }

  ProcessGroup get(String name) {
    return client.resources(ProcessGroup.class).inNamespace(ns).withName(name).get();
  }

  Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(ns).withName(name).get();
  }

  void hold(String deployment) {
    cluster.driver.hold.add(ns + "/" + deployment);
  }

  void release(String deployment) {
    cluster.driver.release(ns, deployment);
  }

  ProcessGroupStatus awaitStatus(String name, Predicate<ProcessGroupStatus> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      ProcessGroup pg = get(name);
      return pg != null && pg.getStatus() != null && condition.test(pg.getStatus());
    });
    return get(name).getStatus();
  }

  ProcessGroupStatus awaitPhase(String name, String phase) {
    return awaitStatus(name, s -> phase.equals(s.getPhase())
        && s.getObservedGeneration() != null
        && s.getObservedGeneration().equals(get(name).getMetadata().getGeneration()));
  }

  Deployment awaitDeployment(String name, Predicate<Deployment> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Deployment d = deployment(name);
      return d != null && condition.test(d);
    });
    return deployment(name);
  }

  static Condition condition(ProcessGroupStatus s, String type) {
    return s.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
  }

  static String podAnnotation(Deployment d, String key) {
    Map<String, String> a = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }
}

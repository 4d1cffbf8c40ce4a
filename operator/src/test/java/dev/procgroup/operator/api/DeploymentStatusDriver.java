package dev.procgroup.operator.api;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * TEST DRIVER, not a cluster: an API-server-only test cluster has no kube-controller-manager and no kubelet, so
 * nothing would ever create pods or mark a Deployment available. This driver does both, crudely: for every
 * Deployment it keeps spec.replicas pods (created Running and Ready, from the pod template) and, after
 * {@link #readyDelayMs}, writes a status saying the rollout finished. Deployments named in {@link #hold} are
 * reported as not available, which is how tests keep an order from becoming Ready; {@link #availableAtMost} caps
 * the available replicas (new pods of a scale-up that are not Ready yet). Like the Deployment controller, it sets
 * the condition Progressing to NewReplicaSetAvailable when a template's rollout completes and keeps it through
 * later scale changes of that template; a new template gets ReplicaSetUpdated until it completes. When a
 * Deployment is deleted its pods are deleted {@link #podGoneDelayMs} later, like pods that take a while to
 * terminate.
 * The real behaviour (real pods, real restarts) is covered by the e2e suite on the local cluster.
 */
final class DeploymentStatusDriver implements AutoCloseable {
  final Set<String> hold = ConcurrentHashMap.newKeySet();
  /** namespace/name: at most this many replicas available. */
  final Map<String, Integer> availableAtMost = new ConcurrentHashMap<>();
  /** namespace/name: the pod template whose rollout last completed. */
  private final Map<String, String> completedTemplate = new ConcurrentHashMap<>();
  final Map<String, Instant> markedReadyAt = new ConcurrentHashMap<>();
  final Map<String, Instant> createdSeenAt = new ConcurrentHashMap<>();
  final Map<String, Instant> deletedSeenAt = new ConcurrentHashMap<>();
  final Map<String, Instant> podsGoneAt = new ConcurrentHashMap<>();
  volatile long readyDelayMs = 200;
  volatile long podGoneDelayMs = 800;

  private final KubernetesClient client;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "deployment-status-driver");
    t.setDaemon(true);
    return t;
  });
  private final SharedIndexInformer<Deployment> informer;

  private final boolean makePods;

  DeploymentStatusDriver(KubernetesClient client) {
    this(client, true);
  }

  /** @param makePods false for benchmarks: status only, no pods */
  DeploymentStatusDriver(KubernetesClient client, boolean makePods) {
    this.client = client;
    this.makePods = makePods;
    this.informer = client.apps().deployments().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        createdSeenAt.putIfAbsent(key(d), Instant.now());
        later(d);
      }

      @Override
      public void onUpdate(Deployment old, Deployment d) {
        if (!Objects.equals(old.getMetadata().getGeneration(), d.getMetadata().getGeneration())) later(d);
      }

      @Override
      public void onDelete(Deployment d, boolean unknown) {
        deletedSeenAt.put(key(d), Instant.now());
        scheduler.schedule(() -> deletePods(d), podGoneDelayMs, TimeUnit.MILLISECONDS);
      }
    });
  }

  static String key(Deployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }

  /** Let held Deployments finish their rollout now. */
  void release(String namespace, String name) {
    hold.remove(namespace + "/" + name);
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d != null) later(d);
  }

  /** Caps the Deployment's available replicas (null: no cap) and writes its status again. */
  void availableAtMost(String namespace, String name, Integer cap) {
    if (cap == null) availableAtMost.remove(namespace + "/" + name);
    else availableAtMost.put(namespace + "/" + name, cap);
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d != null) later(d);
  }

  private void later(Deployment d) {
    scheduler.schedule(() -> sync(d.getMetadata().getNamespace(), d.getMetadata().getName()), readyDelayMs,
        TimeUnit.MILLISECONDS);
  }

  private void sync(String namespace, String name) {
    try {
      Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
      if (d == null || d.getMetadata().getDeletionTimestamp() != null) return;
      int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      if (makePods) ensurePods(d, want);
      boolean held = hold.contains(key(d));
      Integer cap = availableAtMost.get(key(d));
      int available = held ? 0 : cap == null ? want : Math.min(want, cap);
      String template = Serialization.asJson(d.getSpec().getTemplate());
      if (available == want) completedTemplate.put(key(d), template);
      boolean completed = template.equals(completedTemplate.get(key(d)));
      d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
          .withReplicas(want).withUpdatedReplicas(want).withReadyReplicas(available)
          .withAvailableReplicas(available)
          .addNewCondition().withType("Progressing").withStatus("True")
            .withReason(completed ? "NewReplicaSetAvailable" : "ReplicaSetUpdated").endCondition()
          .build());
      client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
      if (available == want) markedReadyAt.put(key(d) + "@" + d.getMetadata().getGeneration(), Instant.now());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        scheduler.schedule(() -> sync(namespace, name), 50, TimeUnit.MILLISECONDS); // raced with an update
      } else if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private void ensurePods(Deployment d, int want) {
    String ns = d.getMetadata().getNamespace();
    Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
    List<Pod> pods = client.pods().inNamespace(ns).withLabels(selector).list().getItems();
    for (int i = pods.size(); i < want; i++) {
      Pod pod = client.pods().inNamespace(ns).resource(new PodBuilder()
          .withNewMetadata().withGenerateName(d.getMetadata().getName() + "-").withNamespace(ns)
            .withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
          .withSpec(d.getSpec().getTemplate().getSpec())
          .build()).create();
      String app = d.getSpec().getTemplate().getSpec().getContainers().get(0).getName();
      pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
          .withConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build())
          .withContainerStatuses(new ContainerStatusBuilder().withName(app).withReady(true).withRestartCount(0)
              .withImage("test").withImageID("test").withStarted(true).withNewState().withNewRunning()
              .withStartedAt(Instant.now().toString()).endRunning().endState().build())
          .build());
      client.pods().inNamespace(ns).resource(pod).updateStatus();
    }
    for (int i = want; i < pods.size(); i++) client.pods().inNamespace(ns).resource(pods.get(i)).delete();
  }

  private void deletePods(Deployment d) {
    client.pods().inNamespace(d.getMetadata().getNamespace()).withLabels(d.getSpec().getSelector().getMatchLabels())
        .delete();
    podsGoneAt.put(key(d), Instant.now());
  }

  @Override
  public void close() {
    informer.close();
    scheduler.shutdownNow();
  }
}

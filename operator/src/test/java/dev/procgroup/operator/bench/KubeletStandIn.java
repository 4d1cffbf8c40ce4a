package dev.procgroup.operator.bench;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * BENCHMARK STAND-IN for the kubelet, the one part of a cluster the benchmark does not run: every pod the
 * ReplicaSet controller creates is written Running and Ready at once (all containers started), so the real
 * ReplicaSet and Deployment controllers compute the Deployment's status from it, as they would with a kubelet.
 * No node, no scheduler: the pods stay unbound, which neither controller looks at.
 */
final class KubeletStandIn implements AutoCloseable {
  private final KubernetesClient client;
  private final ExecutorService writers = Executors.newFixedThreadPool(8);
  private final SharedIndexInformer<Pod> informer;

  KubeletStandIn(KubernetesClient client) {
    this.client = client;
    this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Pod p) { if (!ready(p)) writers.submit(() -> markReady(p)); }
      @Override public void onUpdate(Pod old, Pod p) { }
      @Override public void onDelete(Pod p, boolean unknown) { }
    });
  }

  private static boolean ready(Pod p) {
    return p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
  }

  private void markReady(Pod pod) {
    String now = Instant.now().toString();
    List<ContainerStatus> init = new ArrayList<>();
    for (Container c : pod.getSpec().getInitContainers()) init.add(running(c, now)); // native sidecars
    List<ContainerStatus> main = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) main.add(running(c, now));
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withStartTime(now)
        .withConditions(condition("PodScheduled", now), condition("Initialized", now),
            condition("ContainersReady", now), condition("Ready", now))
        .withInitContainerStatuses(init).withContainerStatuses(main).build());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) { // changed meanwhile (the ReplicaSet controller's own write): again, fresh
        Pod fresh = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
        if (fresh != null && !ready(fresh)) writers.submit(() -> markReady(fresh));
      } else if (e.getCode() != 404) {
        System.err.println("kubelet stand-in: " + e.getMessage());
      }
    }
  }

  private static io.fabric8.kubernetes.api.model.PodCondition condition(String type, String now) {
    return new PodConditionBuilder().withType(type).withStatus("True").withLastTransitionTime(now).build();
  }

  private static ContainerStatus running(Container c, String now) {
    return new ContainerStatusBuilder().withName(c.getName()).withReady(true).withStarted(true).withRestartCount(0)
        .withImage(c.getImage()).withImageID("bench://" + c.getImage())
        .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build();
  }

  @Override
  public void close() {
    informer.close();
    writers.shutdownNow();
  }
}

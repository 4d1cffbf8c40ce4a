package dev.procgroup.operator.bench;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.operator.desired.Labels;
import dev.procgroup.operator.sequencing.ObservedProcess;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the benchmark sees of one phase, from its own watches (no polling lists, which would load the API server
 * it measures): when each Deployment appeared and first became available (the operator's own rule,
 * {@link ObservedProcess#isAvailable}), and when each group first reported Running. Times are System.nanoTime.
 */
final class Convergence implements AutoCloseable {
  final Map<String, Long> deploymentCreated = new ConcurrentHashMap<>();
  final Map<String, Long> deploymentReady = new ConcurrentHashMap<>();
  final Map<String, Long> groupRunning = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  Convergence(KubernetesClient client, String namespace) {
    informers.add(client.apps().deployments().inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Deployment d) { seen(d); }
      @Override public void onUpdate(Deployment old, Deployment d) { seen(d); }
      @Override public void onDelete(Deployment d, boolean unknown) { }
    }));
    informers.add(client.resources(ProcessGroup.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override public void onAdd(ProcessGroup g) { seen(g); }
      @Override public void onUpdate(ProcessGroup old, ProcessGroup g) { seen(g); }
      @Override public void onDelete(ProcessGroup g, boolean unknown) { }
    }));
  }

  private void seen(Deployment d) {
    long now = System.nanoTime();
    String key = key(d);
    deploymentCreated.putIfAbsent(key, now);
    if (ObservedProcess.isAvailable(d)) deploymentReady.putIfAbsent(key, now);
  }

  private void seen(ProcessGroup g) {
    if (g.getStatus() != null && "Running".equals(g.getStatus().getPhase())) {
      groupRunning.putIfAbsent(g.getMetadata().getName(), System.nanoTime());
    }
  }

  /** group/process, from the labels every process Deployment carries. */
  static String key(Deployment d) {
    Map<String, String> l = d.getMetadata().getLabels();
    return l.get(Labels.GROUP) + "/" + l.get(Labels.PROCESS);
  }

  /**
   * "order k Ready → order k+1 created" for every group and hop, in ms: the time from the bench seeing the
   * order-k process available to it seeing the order-(k+1) Deployment.
   */
  List<Double> hops(List<String> groups, List<String> processesByOrder) {
    List<Double> out = new ArrayList<>();
    for (String g : groups) {
      for (int k = 0; k + 1 < processesByOrder.size(); k++) {
        Long ready = deploymentReady.get(g + "/" + processesByOrder.get(k));
        Long next = deploymentCreated.get(g + "/" + processesByOrder.get(k + 1));
        if (ready != null && next != null) out.add((next - ready) / 1e6);
      }
    }
    return out;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
  }
}

package dev.procgroup.operator;

import dev.procgroup.api.v1alpha1.ProcessGroup;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import dev.procgroup.api.v1alpha1.ProcessSpec;
import dev.procgroup.api.v1alpha1.ProcessStatus;
import dev.procgroup.operator.dependent.GroupNetworkPolicy;
import dev.procgroup.operator.dependent.HubEnabled;
import dev.procgroup.operator.dependent.HubRole;
import dev.procgroup.operator.dependent.HubRoleBinding;
import dev.procgroup.operator.dependent.HubService;
import dev.procgroup.operator.dependent.HubServiceAccount;
import dev.procgroup.operator.dependent.NetworkPolicyEnabled;
import dev.procgroup.operator.dependent.ProcessAutoscalers;
import dev.procgroup.operator.desired.DesiredDeployment;
import dev.procgroup.operator.desired.Labels;
import dev.procgroup.operator.sequencing.ObservedProcess;
import dev.procgroup.operator.sequencing.Plan;
import dev.procgroup.operator.sequencing.Sequencer;
import dev.procgroup.operator.status.NotApplied;
import dev.procgroup.operator.status.ProcessObservation;
import dev.procgroup.operator.status.StatusCalculator;
import dev.procgroup.operator.support.EventRecorder;
import dev.procgroup.operator.support.CachedForm;
import dev.procgroup.operator.support.GroupMetrics;
import dev.procgroup.operator.support.PruningItemStore;
import dev.procgroup.operator.validation.SpecProblems;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.readiness.Readiness;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Observe, plan, apply, report. Woken by changes of the group and of everything it owns (no polling), so order k+1
 * is created as soon as the informer sees order k Ready, and a child that drifts or disappears is repaired on its
 * own event. Each concern has one home: the plan ({@link Sequencer}), the Deployments ({@link ProcessDeployments}),
 * the Services ({@link ProcessServices}), the hub Service, RBAC and autoscalers (JOSDK dependents, run as an explicitly
 * invoked workflow so that an invalid spec creates nothing), the status ({@link StatusCalculator}), events
 * ({@link Transitions}) and the stop ({@link OrderedStop}). Annotation changes count
 * ({@code generationAwareEventProcessing = false}): {@code procgroup.dev/restartedAt} is an annotation.
 */
@ControllerConfiguration(name = "processgroup", generationAwareEventProcessing = false)
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "hub-service-account", type = HubServiceAccount.class, reconcilePrecondition = HubEnabled.class),
    @Dependent(name = "hub-role", type = HubRole.class, reconcilePrecondition = HubEnabled.class),
    // after what it binds: applied together, the binding's apply raced the Role's (a 404, healed on retry)
    @Dependent(name = "hub-role-binding", type = HubRoleBinding.class, reconcilePrecondition = HubEnabled.class,
        dependsOn = {"hub-service-account", "hub-role"}),
    @Dependent(name = "hub-service", type = HubService.class, reconcilePrecondition = HubEnabled.class,
        useEventSourceWithName = ProcessGroupReconciler.SERVICES),
    @Dependent(type = GroupNetworkPolicy.class, reconcilePrecondition = NetworkPolicyEnabled.class),
    @Dependent(type = ProcessAutoscalers.class)})
public class ProcessGroupReconciler implements Reconciler<ProcessGroup>, Cleaner<ProcessGroup> {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGroupReconciler.class);
  private static final long STOP_RECHECK_MS = 5_000;
  private static final long CACHE_RECHECK_MS = 1_000;
  /** The Service informer: process Services and the hub Service. */
  static final String SERVICES = "services";

  private final OperatorConfig config;
  private final GroupMetrics metrics;
  private final EventRecorderFactory events;
  private volatile ClusterWriter writer;
  private volatile ProcessDeployments processDeployments;
  private final Set<String> announcedStuckPods = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Events need the operator's client, which JOSDK hands over only with the first context. */
  public interface EventRecorderFactory {
    EventRecorder forClient(io.fabric8.kubernetes.client.KubernetesClient client);
  }

  public ProcessGroupReconciler(OperatorConfig config, GroupMetrics metrics, EventRecorderFactory events) {
    this.config = config;
    this.metrics = metrics;
    this.events = events;
  }

  @Override
  public List<EventSource<?, ProcessGroup>> prepareEventSources(EventSourceContext<ProcessGroup> context) {
    SecondaryToPrimaryMapper<Deployment> deploymentToGroup = ProcessGroupReconciler::groupOf;
    SecondaryToPrimaryMapper<Pod> podToGroup = ProcessGroupReconciler::groupOf;
    SecondaryToPrimaryMapper<Service> serviceToGroup = ProcessGroupReconciler::groupOf;
    String selector = Labels.OWNED_SELECTOR;
    var deployments = InformerEventSourceConfiguration.from(Deployment.class, ProcessGroup.class)
        .withName("deployments").withLabelSelector(selector).withSecondaryToPrimaryMapper(deploymentToGroup)
        .withNamespacesInheritedFromController();
    var pods = InformerEventSourceConfiguration.from(Pod.class, ProcessGroup.class)
        .withName("pods").withLabelSelector(selector).withSecondaryToPrimaryMapper(podToGroup)
        .withNamespacesInheritedFromController();
    if (config.watchNamespaces().size() <= 1) { // one informer each (see PruningItemStore)
      deployments.withItemStore(new PruningItemStore<>(CachedForm::deployment));
      pods.withItemStore(new PruningItemStore<>(CachedForm::pod));
    }
    return List.of(
        new InformerEventSource<>(deployments.build(), context),
        new InformerEventSource<>(pods.build(), context),
        new InformerEventSource<>(InformerEventSourceConfiguration.from(Service.class, ProcessGroup.class)
            .withName(SERVICES).withLabelSelector(selector).withSecondaryToPrimaryMapper(serviceToGroup)
            .withNamespacesInheritedFromController().build(), context));
  }

  /**
   * The group a Deployment or Service of this name belongs to, from the informers (which hold every object the
   * operator made, of any group): {@code <group>-<process>} can be the same for two groups.
   */
  @SuppressWarnings("unchecked")
  static SpecProblems.TakenNames takenNames(Context<ProcessGroup> context, String namespace) {
    return (kind, name) -> {
      Class<? extends HasMetadata> type = "Service".equals(kind) ? Service.class : Deployment.class;
      var source = (InformerEventSource<HasMetadata, ProcessGroup>) (Object) context.eventSourceRetriever()
          .getEventSourceFor(type);
      return source.get(new ResourceID(name, namespace))
          .map(o -> o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get(Labels.GROUP));
    };
  }

  /**
   * Whether the Deployment, pod and Service caches have listed at least once. Before that an empty cache means
   * "not known yet", not "none": acting on it would re-create what exists or, in cleanup, remove the finalizer
   * while pods still run. Start-up waits for the sync, so this holds except in the moment before a failed start
   * ends the process.
   */
  static boolean cachesSynced(Context<ProcessGroup> context) {
    return Stream.of(Deployment.class, Pod.class, Service.class)
        .map(type -> context.eventSourceRetriever().getEventSourceFor(type))
        .allMatch(source -> !(source instanceof InformerWrappingEventSourceHealthIndicator<?> informers)
            || informers.informerHealthIndicators().values().stream().allMatch(InformerHealthIndicator::hasSynced));
  }

  private static Set<ResourceID> groupOf(HasMetadata secondary) {
    String group = secondary.getMetadata().getLabels().get(Labels.GROUP);
    return group == null ? Set.of() : Set.of(new ResourceID(group, secondary.getMetadata().getNamespace()));
  }

  @Override
  public UpdateControl<ProcessGroup> reconcile(ProcessGroup pg, Context<ProcessGroup> context) {
    if (!cachesSynced(context)) return UpdateControl.<ProcessGroup>noUpdate().rescheduleAfter(CACHE_RECHECK_MS);
    metrics.reconciled();
    ClusterWriter cluster = writer(context);
    EventRecorder recorder = events.forClient(context.getClient());
    String group = pg.getMetadata().getName();

    Map<String, Deployment> desired = new LinkedHashMap<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      desired.put(p.getName(), DesiredDeployment.of(pg, p, config.sidecar()));
    }
    Map<String, Deployment> deployments = byProcess(context.getSecondaryResources(Deployment.class));
    Map<String, List<Pod>> pods = podsByProcess(context);
    Map<String, ObservedProcess> observed = new LinkedHashMap<>();
    desired.forEach((name, d) -> observed.put(name, ObservedProcess.of(deployments.get(name), d)));
    Plan plan = Sequencer.plan(pg.getSpec().getProcesses(), observed);

    Map<String, Service> services = byProcess(context.getSecondaryResources(Service.class));
    List<String> problems = SpecProblems.of(pg, config.sidecar(), takenNames(context, pg.getMetadata().getNamespace()));
    NotApplied notApplied = problems.isEmpty() ? null : NotApplied.invalidSpec(problems);
    if (problems.isEmpty()) {
      List<String> refused = new ArrayList<>();
      boolean hub = DesiredDeployment.hubEnabled(pg, config.sidecar());
      try {
        // the peer token (without mTLS): a pod that is not ready may be one that cannot mount a deleted Secret
        if (hub && config.sidecar().identity() == null) cluster.ensureHubToken(pg, !allPodsReady(pods));
      } catch (KubernetesClientException e) {
        refused.add("hub Secret: " + ClusterWriter.apiMessage(e));
      }
      refused.addAll(deployments(cluster).sync(pg, plan, desired, deployments, recorder));
      refused.addAll(dependents(pg, hub, config, context));
      try {
        services = new ProcessServices(cluster).sync(pg, services, recorder);
      } catch (KubernetesClientException e) {
        refused.add("Services: " + ClusterWriter.apiMessage(e));
      }
      if (!refused.isEmpty()) {
        notApplied = NotApplied.applyFailed(String.join("; ", refused));
        LOG.warn("apply failed for {}/{}: {}", pg.getMetadata().getNamespace(), group, notApplied.message());
      }
    }

    Map<String, ProcessObservation> observations = new LinkedHashMap<>();
    for (ProcessSpec p : pg.getSpec().getProcesses()) {
      observations.put(p.getName(), new ProcessObservation(p, deployments.get(p.getName()),
          pods.getOrDefault(p.getName(), List.of()), observed.get(p.getName()), services.get(p.getName())));
    }
    ProcessGroupStatus status = StatusCalculator.compute(pg, plan, observations, notApplied, Instant.now());
    Transitions.record(pg, pg.getStatus(), status, recorder);
    metrics.update(pg.getMetadata().getNamespace(), group, status);
    UpdateControl<ProcessGroup> control = StatusCalculator.same(pg.getStatus(), status)
        ? UpdateControl.noUpdate() : UpdateControl.patchStatus(statusOnly(pg, status));
    // a crash loop ends, and a refused apply is due again, when time passes, with no event of its own: look then
    StatusCalculator.reviewAfter(pg, status, Instant.now())
        .ifPresent(after -> control.rescheduleAfter(Math.max(after.toMillis(), CACHE_RECHECK_MS)));
    return control;
  }

  /**
   * The hub RBAC objects and autoscalers, compared with their desired form from the informer caches and repaired.
   *
   * @return what the API server refused, one line per object
   */
  private static List<String> dependents(ProcessGroup pg, boolean hub, OperatorConfig config,
      Context<ProcessGroup> context) {
    HubEnabled.set(context, hub);
    if (config.networkPolicy().enabled()) {
      context.managedWorkflowAndDependentResourceContext().put(GroupNetworkPolicy.Settings.KEY,
          new GroupNetworkPolicy.Settings(config.sidecar(), config.networkPolicy().metricsNamespaces()));
    }
    WorkflowReconcileResult result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    List<String> refused = new ArrayList<>();
    result.getErroredDependents().forEach((dependent, error) -> {
      Throwable cause = error;
      while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) cause = cause.getCause();
      refused.add(dependent.resourceType().getSimpleName() + ": " + (cause instanceof KubernetesClientException k
          ? ClusterWriter.apiMessage(k) : String.valueOf(cause.getMessage())));
    });
    return refused;
  }

  /** Reverse-order stop: the highest order still running is stopped, and the finalizer waits until its pods are gone. */
  @Override
  public DeleteControl cleanup(ProcessGroup pg, Context<ProcessGroup> context) {
    if (!cachesSynced(context)) return DeleteControl.noFinalizerRemoval().rescheduleAfter(CACHE_RECHECK_MS);
    ClusterWriter cluster = writer(context);
    EventRecorder recorder = events.forClient(context.getClient());
    Map<String, Deployment> deployments = byProcess(context.getSecondaryResources(Deployment.class));
    OrderedStop.Step step = OrderedStop.next(pg, deployments, podsByProcess(context), Instant.now(),
        config.stopTimeout());
    OrderedStop.announce(pg, step, config.stopTimeout(), recorder, announcedStuckPods);
    if (step.done()) {
      announcedStuckPods.removeIf(k -> k.startsWith(pg.getMetadata().getUid() + " "));
      metrics.remove(pg.getMetadata().getNamespace(), pg.getMetadata().getName());
      cluster.forget(pg);
      deployments(cluster).forget(deployments.values());
      recorder.normal(pg, "Stopped", "every process stopped; removing the finalizer");
      return DeleteControl.defaultDelete();
    }
    step.toDelete().forEach(cluster::deleteDeployment);
    markTerminating(pg, context);
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(STOP_RECHECK_MS);
  }

  private void markTerminating(ProcessGroup pg, Context<ProcessGroup> context) {
    if (pg.getStatus() != null && StatusCalculator.TERMINATING.equals(pg.getStatus().getPhase())) return;
    ProcessGroupStatus status = pg.getStatus() == null ? new ProcessGroupStatus() : pg.getStatus();
    status.setPhase(StatusCalculator.TERMINATING);
    status.setMessage("stopping processes in reverse order");
    for (ProcessStatus p : status.getProcesses()) p.setPhase("Stopping");
    try {
      context.getClient().resource(statusOnly(pg, status)).patchStatus();
    } catch (KubernetesClientException e) {
      LOG.debug("could not mark {} terminating: {}", pg.getMetadata().getName(), e.getMessage());
    }
  }

  private static boolean allPodsReady(Map<String, List<Pod>> pods) {
    return pods.values().stream().flatMap(List::stream).filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .allMatch(Readiness::isPodReady);
  }

  private static Map<String, List<Pod>> podsByProcess(Context<ProcessGroup> context) {
    return context.getSecondaryResources(Pod.class).stream()
        .filter(p -> p.getMetadata().getLabels().get(Labels.PROCESS) != null) // not a process's pod
        .collect(Collectors.groupingBy(p -> p.getMetadata().getLabels().get(Labels.PROCESS)));
  }

  /** Objects of one kind by the process they belong to; ones without a process label are not a process's. */
  private static <T extends HasMetadata> Map<String, T> byProcess(Set<T> objects) {
    Map<String, T> m = new TreeMap<>();
    for (T o : objects) {
      String process = o.getMetadata().getLabels().get(Labels.PROCESS);
      if (process != null) m.put(process, o);
    }
    return m;
  }

  /** A fresh object holding only what the status patch owns (the JOSDK server-side-apply guidance). */
  private static ProcessGroup statusOnly(ProcessGroup pg, ProcessGroupStatus status) {
    ProcessGroup fresh = new ProcessGroup();
    fresh.setMetadata(new ObjectMetaBuilder().withName(pg.getMetadata().getName())
        .withNamespace(pg.getMetadata().getNamespace()).build());
    fresh.setStatus(status);
    return fresh;
  }

  private ProcessDeployments deployments(ClusterWriter cluster) {
    ProcessDeployments d = processDeployments;
    if (d == null) {
      synchronized (this) {
        if (processDeployments == null) processDeployments = new ProcessDeployments(cluster);
        d = processDeployments;
      }
    }
    return d;
  }

  private ClusterWriter writer(Context<ProcessGroup> context) {
    ClusterWriter w = writer;
    if (w == null) {
      synchronized (this) {
        if (writer == null) writer = new ClusterWriter(context.getClient());
        w = writer;
      }
    }
    return w;
  }
}

package dev.procgroup.operator;

import dev.procgroup.operator.support.ApiRequests;
import dev.procgroup.operator.support.CachedForm;
import dev.procgroup.operator.support.PruningItemStore;
import dev.procgroup.operator.identity.IdentityIssuer;
import dev.procgroup.operator.identity.IdentitySettings;
import dev.procgroup.operator.support.EventRecorder;
import dev.procgroup.operator.support.GroupMetrics;
import dev.procgroup.operator.support.HttpEndpoints;
import dev.procgroup.operator.support.InformerHealth;
import dev.procgroup.operator.support.MetricsHygiene;
import dev.procgroup.operator.support.ProcessExit;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator: in a pod with its service account, or locally against the current kubeconfig
 * ({@code mvn -pl operator exec:java} or the jar), configured from the environment (see operator/README.md).
 * It runs with every informer synced, or not at all: {@link #main} exits non-zero when start-up fails, and an
 * informer that stops later ends the process too.
 */
public final class ProcgroupOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcgroupOperator.class);

  private final Operator operator;
  private final KubernetesClient client;
  private final OperatorConfig config;
  private final InformerHealth health;
  private final HttpEndpoints http;
  private final EventRecorder events;
  private volatile boolean stopping;

  /** Start-up ended without every informer synced. */
  public static final class StartupFailure extends RuntimeException {
    StartupFailure(String message) { super(message); }
  }

  /**
   * @param clientConfig where the API server is and who we are there; the operator builds its own client from it,
   *     so that every request it sends is counted ({@link ApiRequests})
   */
  public ProcgroupOperator(Config clientConfig, OperatorConfig config) throws java.io.IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsHygiene.apply(registry);
    client = new ApiRequests(registry).client(clientConfig);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.config = config;
    String identity = identity();
    operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // JOSDK's counters and timers for the controller, not per group: per-group ones (timers with histograms)
          // were ~20 MiB of heap and thousands of series at 1000 groups; GroupMetrics has the per-group series
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          // Informers that cannot list yet (API server down, CRD missing, RBAC not there) retry with fabric8's
          // backoff instead of failing at the first refusal; each start-up stage waits up to the timeout, and
          // start() then fails unless every informer has synced.
          .withStopOnInformerErrorDuringStartup(false)
          .withCacheSyncTimeout(config.informers().startup())
          .withInformerStoppedHandler(this::informerStopped);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
            .aLeaderElectionConfiguration("procgroup-operator")
            .withLeaseNamespace(config.leaderElectionNamespace())
            .withIdentity(identity)
            // JOSDK would System.exit() when leadership ends; during our own shutdown hook that call never
            // returns and the pod hangs until SIGKILL. Exit ourselves, and only when leadership is lost.
            .withExitOnStopLeading(false)
            .withLeaderCallbacks(new LeaderCallbacks(
                () -> LOG.info("became the leader ({})", identity),
                this::leadershipLost,
                leader -> LOG.info("leader is now {}", leader)))
            .build());
      }
    });
    events = new EventRecorder(client, identity); // the client JOSDK hands every context
    ProcessGroupReconciler reconciler = new ProcessGroupReconciler(config, new GroupMetrics(registry), c -> events);
    operator.register(reconciler, o -> {
      o.withOnUpdateFilter(StatusOnlyUpdates::reconcile);
      if (config.watchNamespaces().size() <= 1) o.withItemStore(new PruningItemStore<>(CachedForm::group));
      if (!config.watchNamespaces().isEmpty()) o.settingNamespaces(config.watchNamespaces());
    });
    RuntimeInfo runtime = operator.getRuntimeInfo();
    health = new InformerHealth(runtime::isStarted, () -> InformerHealth.of(runtime), config.informers().stall(),
        Clock.systemUTC());
    http = new HttpEndpoints(config.httpPort(), registry, health::liveness, health::readiness);
  }

  /**
   * Starts JOSDK and returns once every informer has listed and watches.
   *
   * @throws StartupFailure when an informer has not synced within {@code PROCGROUP_STARTUP_TIMEOUT} (JOSDK waits
   *     that long for the group informer, then as long for the others, which start together)
   */
  public void start() {
    operator.start();
    List<InformerHealth.Informer> unsynced = health.unsynced();
    if (!unsynced.isEmpty()) {
      throw new StartupFailure("informers not synced within " + config.informers().startup().toSeconds() + "s: "
          + unsynced.stream().map(InformerHealth.Informer::name).collect(Collectors.joining(", ")));
    }
    LOG.info("procgroup operator started; http endpoints on :{}", http.port());
  }

  public int httpPort() { return http.port(); }

  /** JOSDK's view of the running controllers: their event sources and health. */
  public RuntimeInfo runtimeInfo() { return operator.getRuntimeInfo(); }

  /** JOSDK's stopped-informer callback: after an error an informer does not come back, so neither do we. */
  private void informerStopped(SharedIndexInformer<?> informer, Throwable error) {
    if (stopping) return;
    if (error == null) {
      LOG.warn("informer stopped: {}", informer);
      return; // stopped on purpose (JOSDK stopping a controller); /healthz reports it if it was not
    }
    LOG.error("informer failed and stopped: {}; exiting", informer, error);
    ProcessExit.exit(1);
  }

  private void leadershipLost() {
    if (stopping) return;
    LOG.warn("lost the leader lease; exiting so that a fresh process competes for it");
    ProcessExit.exit(1);
  }

  @Override
  public void close() {
    stopping = true;
    operator.stop();
    events.close();
    http.close();
    client.close();
  }

  private static String identity() {
    String pod = System.getenv("POD_NAME");
    if (pod != null && !pod.isBlank()) return pod;
    try {
      return InetAddress.getLocalHost().getHostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    } catch (java.net.UnknownHostException e) {
      return "procgroup-operator-" + UUID.randomUUID().toString().substring(0, 8);
    }
  }

  /**
   * The current kubeconfig or in-cluster account, with room for concurrent requests: fabric8 allows 5 per host
   * by default, which would leave JOSDK's 50 reconciler threads queueing behind each other.
   */
  static Config clientConfig() {
    Config config = Config.autoConfigure(null);
    config.setMaxConcurrentRequests(256);
    config.setMaxConcurrentRequestsPerHost(128);
    return config;
  }

  /**
   * Exits 1 when start-up fails. Returning from main would not end the JVM: the HTTP server's dispatcher and
   * JOSDK's executor threads are not daemons, and such a process answered {@code /healthz} without ever
   * reconciling.
   */
  public static void main(String[] args) {
    IdentityIssuer.limitJdkHttpServer(); // before the first JDK HTTP server (the /metrics one) starts
    try {
      OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
      ProcgroupOperator op = new ProcgroupOperator(clientConfig(), config);
      // The sidecars' certificate issuer (sidecar/SECURITY.md), when the chart enables peer mTLS: its own client for
      // TokenReviews and the ServiceAccount/pod checks.
      IdentitySettings identity = IdentitySettings.fromEnvironment(System.getenv());
      IdentityIssuer issuer = identity == null ? null
          : IdentityIssuer.start(new KubernetesClientBuilder().withConfig(clientConfig()).build(), identity);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        op.close();
        if (issuer != null) issuer.close();
      }, "shutdown"));
      op.start();
    } catch (Throwable e) {
      LOG.error("start-up failed; exiting: {}", e.toString(), e);
      ProcessExit.exit(1);
    }
  }
}

package dev.procgroup.operator;

import dev.procgroup.operator.support.EventRecorder;
import dev.procgroup.operator.support.GroupMetrics;
import dev.procgroup.operator.support.HttpEndpoints;
import dev.procgroup.operator.support.MetricsHygiene;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the operator: in a pod with its service account, or locally against the current kubeconfig
 * ({@code mvn -pl operator exec:java} or the jar), configured from the environment (see operator/README.md).
 */
public final class ProcgroupOperator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcgroupOperator.class);

  private final Operator operator;
  private final HttpEndpoints http;
  private volatile boolean stopping;

  public ProcgroupOperator(KubernetesClient client, OperatorConfig config) throws java.io.IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MetricsHygiene.apply(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    String identity = identity();
    operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build())
          .withStopOnInformerErrorDuringStartup(true);
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
    ProcessGroupReconciler reconciler = new ProcessGroupReconciler(config, new GroupMetrics(registry),
        c -> new EventRecorder(c, identity));
    operator.register(reconciler, o -> {
      if (!config.watchNamespaces().isEmpty()) o.settingNamespaces(config.watchNamespaces());
    });
    RuntimeInfo runtime = operator.getRuntimeInfo();
    http = new HttpEndpoints(config.httpPort(), registry,
        () -> !operator.getRuntimeInfo().isStarted() || runtime.allEventSourcesAreHealthy(),
        () -> runtime.isStarted() && runtime.allEventSourcesAreHealthy());
  }

  public void start() {
    operator.start();
    LOG.info("procgroup operator started; http endpoints on :{}", http.port());
  }

  public int httpPort() { return http.port(); }

  private void leadershipLost() {
    if (stopping) return;
    LOG.warn("lost the leader lease; exiting so that a fresh process competes for it");
    new Thread(() -> System.exit(1), "exit-on-lost-lease").start();
  }

  @Override
  public void close() {
    stopping = true;
    operator.stop();
    http.close();
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

  public static void main(String[] args) throws Exception {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
    ProcgroupOperator op = new ProcgroupOperator(client, config);
    Runtime.getRuntime().addShutdownHook(new Thread(op::close, "shutdown"));
    op.start();
  }
}

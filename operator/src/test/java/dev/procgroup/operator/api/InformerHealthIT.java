package dev.procgroup.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procgroup.operator.OperatorConfig;
import dev.procgroup.operator.OperatorConfig.InformerLimits;
import dev.procgroup.operator.ProcgroupOperator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A second operator, confined to an empty namespace, that reaches the test API server through a {@link TcpProxy},
 * so that it alone can lose the API server: start-up retries until it is there, an outage makes the operator
 * unready at once and unhealthy after the stall limit, and it recovers by itself; a stopped informer fails
 * {@code /healthz}.
 */
class InformerHealthIT extends ApiTestSupport {
  static final Duration STALL_LIMIT = Duration.ofSeconds(2);
  final HttpClient http = HttpClient.newHttpClient();
  TcpProxy proxy;
  KubernetesClient proxied;
  ProcgroupOperator operator;

  @BeforeEach
  void proxiedOperator() throws Exception {
    Config config = Config.fromKubeconfig(cluster.apiServer.getKubeConfigYaml());
    URI master = URI.create(config.getMasterUrl());
    proxy = new TcpProxy(master.getHost(), master.getPort());
    config.setMasterUrl("https://" + master.getHost() + ":" + proxy.port + "/");
    proxied = new KubernetesClientBuilder().withConfig(config).build();
    operator = new ProcgroupOperator(proxied.getConfiguration(), new OperatorConfig(Set.of(ns), 0, false, null,
        OperatorConfig.SidecarConfig.defaults(), false, new InformerLimits(Duration.ofSeconds(30), STALL_LIMIT),
        OperatorConfig.DEFAULT_STOP_TIMEOUT));
  }

  @AfterEach
  void stop() throws Exception {
    operator.close();
    proxied.close();
    proxy.close();
  }

  @Test
  void startupRetriesUntilTheApiServerIsReachable() throws Exception {
    CompletableFuture<Void> started = CompletableFuture.runAsync(operator::start);
    Thread.sleep(3000);
    assertThat(started).as("no API server yet").isNotDone();
    assertThat(probe("/healthz")).isEqualTo("200 ok: starting");
    assertThat(probe("/readyz")).isEqualTo("503 failing: starting");
    Instant reachable = Instant.now();
    proxy.open();
    started.get(60, java.util.concurrent.TimeUnit.SECONDS);
    System.out.printf("[measure] started %d ms after the API server became reachable%n",
        Duration.between(reachable, Instant.now()).toMillis());
    assertThat(probe("/readyz")).isEqualTo("200 ok: 9 informers synced and watching");
  }

  @Test
  void anOutageMakesItUnreadyThenUnhealthyAndItRecoversByItself() throws Exception {
    proxy.open();
    operator.start();
    assertThat(probe("/healthz")).isEqualTo("200 ok: 9 informers running");
    proxy.cut();
    Instant cut = Instant.now();
    await().atMost(Duration.ofSeconds(10)).until(() -> probe("/readyz").startsWith("503 failing:"));
    assertThat(probe("/readyz")).contains("not watching");
    await().atMost(STALL_LIMIT.plusSeconds(10)).until(() -> probe("/healthz").startsWith("503"));
    assertThat(Duration.between(cut, Instant.now())).as("not before the stall limit").isGreaterThanOrEqualTo(STALL_LIMIT);
    assertThat(probe("/healthz")).contains("not watching for");
    Instant back = Instant.now();
    proxy.open();
    await().atMost(Duration.ofSeconds(60)).until(() -> probe("/readyz").startsWith("200"));
    System.out.printf("[measure] informers watching again %d ms after the API server came back%n",
        Duration.between(back, Instant.now()).toMillis());
    assertThat(probe("/healthz")).isEqualTo("200 ok: 9 informers running");
  }

  @Test
  void aStoppedInformerFailsHealthzAtOnce() throws Exception {
    proxy.open();
    operator.start();
    EventSource<?, ?> pods = (EventSource<?, ?>) operator.runtimeInfo().getRegisteredController("processgroup")
        .getControllerHealthInfo().eventSourceHealthIndicators().get("pods");
    pods.stop();
    assertThat(probe("/healthz")).isEqualTo("503 failing: processgroup/pods in " + ns + " stopped");
    assertThat(probe("/readyz")).startsWith("503 failing: processgroup/pods in " + ns + " stopped");
  }

  String probe(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + operator.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body().strip();
  }
}

package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real sidecar of process web, for which spec.services declares reports and audit: its readiness probe (the pod's
 * Ready, which the next order and the group's status wait for) says 503 with the missing services until its app
 * publishes both, and again when the app withdraws one or goes away. Another process's service does not count.
 */
class DeclaredServicesReadinessIT {

  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  static Sidecar sidecar;

  @BeforeAll
  static void start() {
    SidecarConfig config = SidecarConfig.builder().group("services-it").process("web").podName("web-1")
        .hubToken("it-token-0123456789").hubPort(0).peerHost("127.0.0.1").peerPort(0).metricsHost("127.0.0.1")
        .metricsPort(0).appMetrics("off").staticPeers(List.of())
        .declaredServices(DeclaredServices.parse("reports=web,audit=web,snapshots=background")).build();
    sidecar = Await.of(new Sidecar(config).start());
  }

  @AfterAll
  static void stop() {
    Await.of(sidecar.stop());
    Await.of(vertx.close());
  }

  private static Http.Resp readyz() {
    return http.get(sidecar.metricsPort(), "/readyz");
  }

  @Test
  void readyOnlyWhileTheAppPublishesEveryServiceDeclaredForItsProcess() {
    Http.Resp before = readyz();
    assertThat(before.status()).isEqualTo(503);
    assertThat(before.json().getString("reason"))
        .isEqualTo("the app has not published services audit, reports (spec.services declares them for process web)");

    try (TestApp app = TestApp.connect(vertx, sidecar.hubPort())) {
      app.publish("reports", "daily");
      assertThat(readyz().json().getString("reason")).startsWith("the app has not published service audit (");
      app.publish("audit", "log");
      assertThat(readyz().status()).isEqualTo(200);
      assertThat(http.get(sidecar.metricsPort(), "/healthz").status()).isEqualTo(200);

      app.unpublish("audit");
      assertThat(readyz().status()).isEqualTo(503);
      app.publish("audit", "log");
      assertThat(readyz().status()).isEqualTo(200);
    }
    // the app's connection is gone (its process died): so are its services
    await().atMost(Duration.ofSeconds(10)).until(() -> readyz().status() == 503);
    assertThat(readyz().json().getString("reason")).contains("services audit, reports");
  }
}

package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bearer token (mTLS off) changing under two real sidecars, as when the Secret {@code <group>-hub} is replaced and
 * each pod's kubelet updates its copy at its own moment: the one that has the new token first sends it, the other
 * answers 401 and gets the call again with the previous token; calls both ways never fail, and a token neither side
 * ever had is refused throughout.
 */
class PeerTokenRotationIT {

  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  @TempDir static Path dir;
  static Path tokenA, tokenB;
  static Sidecar a, b;
  static TestApp onA, onB;

  @BeforeAll
  static void start() throws Exception {
    System.setProperty("procgroup.peer-token-refresh-ms", "200");
    tokenA = dir.resolve("a-token");
    tokenB = dir.resolve("b-token");
    Files.writeString(tokenA, "first");
    Files.writeString(tokenB, "first");
    int peerA = TestPorts.free(), peerB = TestPorts.free();
    a = Await.of(new Sidecar(config("a", "web", peerA, tokenA, "b", peerB)).start());
    b = Await.of(new Sidecar(config("b", "background", peerB, tokenB, "a", peerA)).start());
    onA = TestApp.connect(vertx, a.hubPort()).notRecording().publish("atA", "m");
    onB = TestApp.connect(vertx, b.hubPort()).notRecording().publish("atB", "m");
  }

  static SidecarConfig config(String pod, String process, int peerPort, Path token, String other, int otherPort)
      throws Exception {
    return SidecarConfig.fromEnv(Map.ofEntries(Map.entry("PROCGROUP_GROUP", "rot"),
        Map.entry("PROCGROUP_PROCESS", process), Map.entry("PROCGROUP_POD_NAME", pod),
        Map.entry("PROCGROUP_HUB_TOKEN_FILE", token.toString()), Map.entry("PROCGROUP_HUB_PORT", "0"),
        Map.entry("PROCGROUP_PEER_PORT", Integer.toString(peerPort)), Map.entry("PROCGROUP_PEER_HOST", "127.0.0.1"),
        Map.entry("PROCGROUP_METRICS_PORT", "0"), Map.entry("PROCGROUP_METRICS_HOST", "127.0.0.1"),
        Map.entry("PROCGROUP_APP_METRICS", "off"), Map.entry("PROCGROUP_STATIC_PEERS", other + "=127.0.0.1:" + otherPort)));
  }

  @AfterAll
  static void stop() {
    System.clearProperty("procgroup.peer-token-refresh-ms");
    onA.close();
    onB.close();
    Await.of(a.stop());
    Await.of(b.stop());
    Await.of(vertx.close());
  }

  static int peerStatus(Sidecar s, String token) {
    return http.send(HttpMethod.GET, s.peerPort(), "/peer/v1/objects", null, Map.of("Authorization", "Bearer " + token))
        .status();
  }

  static void callsBothWaysSucceed() {
    for (int i = 0; i < 20; i++) {
      Http.Resp ab = http.invoke(a.hubPort(), "atB", "m", "[" + i + "]", Map.of());
      assertThat(ab.status()).as("a -> b: %s", ab.body()).isEqualTo(200);
      Http.Resp ba = http.invoke(b.hubPort(), "atA", "m", "[" + i + "]", Map.of());
      assertThat(ba.status()).as("b -> a: %s", ba.body()).isEqualTo(200);
    }
  }

  @Test
  void aTokenChangeReachesThePodsOneByOneAndNoCallFails() throws Exception {
    callsBothWaysSucceed();
    // b's copy of the Secret changes first
    Files.writeString(tokenB, "second");
    await().atMost(Duration.ofSeconds(10)).until(() -> peerStatus(b, "second") == 200);
    assertThat(peerStatus(a, "second")).as("a has not seen the change").isEqualTo(401);
    callsBothWaysSucceed(); // b -> a: 401 with "second", then "first" again
    // then a's
    Files.writeString(tokenA, "second");
    await().atMost(Duration.ofSeconds(10)).until(() -> peerStatus(a, "second") == 200);
    callsBothWaysSucceed();
    assertThat(peerStatus(a, "first")).as("the previous token, within its grace").isEqualTo(200);
    assertThat(peerStatus(a, "never")).isEqualTo(401);
    assertThat(peerStatus(b, "never")).isEqualTo(401);
  }
}

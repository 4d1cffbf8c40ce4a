package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Token check, names, header and body parsing, configuration. */
class SmallPartsTest {

  @Test
  void tokenCheckAcceptsOnlyTheExactBearerToken() {
    TokenCheck check = new TokenCheck("s3cret");
    assertThat(check.allows("Bearer s3cret")).isTrue();
    assertThat(check.allows("bearer s3cret")).isTrue();
    assertThat(check.allows("Bearer s3cre")).isFalse();
    assertThat(check.allows("Bearer s3cret2")).isFalse();
    assertThat(check.allows("Basic s3cret")).isFalse();
    assertThat(check.allows("s3cret")).isFalse();
    assertThat(check.allows(null)).isFalse();
    assertThat(check.allows("Bearer ")).isFalse();
  }

  @Test
  void limitsComeFromTheEnvironmentAndRefuseSwitchingAProtectionOff() {
    Limits l = Limits.fromEnv(Map.of("PROCGROUP_LIMIT_HEADER_READ_TIMEOUT_MS", "2500",
        "PROCGROUP_LIMIT_PEER_MAX_CONNECTIONS", "64"));
    assertThat(l.headerReadTimeoutMs()).isEqualTo(2500);
    assertThat(l.peerMaxConnections()).isEqualTo(64);
    assertThat(l.unauthenticatedDrainBytes()).isEqualTo(Limits.defaults().unauthenticatedDrainBytes());
    assertThatThrownBy(() -> Limits.fromEnv(Map.of("PROCGROUP_LIMIT_HEADER_READ_TIMEOUT_MS", "0")))
        .hasMessageContaining("at least 1 ms");
    assertThatThrownBy(() -> Limits.fromEnv(Map.of("PROCGROUP_LIMIT_APP_MAX_CONNECTIONS", "x")))
        .hasMessageContaining("PROCGROUP_LIMIT_APP_MAX_CONNECTIONS must be an integer");
    assertThatThrownBy(() -> Limits.fromEnv(Map.of("PROCGROUP_LIMIT_PEER_CLIENT_IDLE_TIMEOUT_MS", "95000")))
        .hasMessageContaining("client must close first");
    assertThatThrownBy(() -> Limits.fromEnv(Map.of("PROCGROUP_LIMIT_WEBSOCKET_PING_MS", "60000")))
        .hasMessageContaining("below the WebSocket idle timeout");
  }

  @Test
  void namesFollowTheProtocolRules() {
    assertThat(Names.validObject("pageSnapshot")).isTrue();
    assertThat(Names.validObject("$svc.v2-x")).isTrue();
    assertThat(Names.validObject("9lives")).isFalse();
    assertThat(Names.validObject("a/b")).isFalse();
    assertThat(Names.validObject("a".repeat(129))).isFalse();
    assertThat(Names.validMethod("take")).isTrue();
    assertThat(Names.validMethod("take.it")).isFalse();
    assertThat(Names.validEvent("cache.flush")).isTrue();
  }

  @Test
  void timeoutHeaderIsBounded() {
    assertThat(AppApi.timeout(null)).isEqualTo(30_000);
    assertThat(AppApi.timeout(" 250 ")).isEqualTo(250);
    assertThat(AppApi.timeout("600000")).isEqualTo(600_000);
    for (String bad : List.of("0", "-5", "600001", "abc", "1.5")) {
      assertThatThrownBy(() -> AppApi.timeout(bad)).isInstanceOfSatisfying(HubError.class,
          e -> assertThat(e.status).isEqualTo(400));
    }
  }

  @Test
  void invokeBodyMustBeAJsonArray() {
    assertThat(AppApi.argsArray(Buffer.buffer("")).toString()).isEqualTo("[]");
    assertThat(AppApi.argsArray(Buffer.buffer("[1, \"a\"]")).toString()).isEqualTo("[1, \"a\"]");
    for (String bad : List.of("{}", "1", "[1,", "nul")) {
      assertThatThrownBy(() -> AppApi.argsArray(Buffer.buffer(bad))).isInstanceOfSatisfying(HubError.class,
          e -> assertThat(e.name).isEqualTo("BadRequest"));
    }
  }

  @Test
  void eventBodyIsAnyJsonValue() {
    assertThat(AppApi.jsonValue(Buffer.buffer(""))).isEqualTo("null");
    assertThat(AppApi.jsonValue(Buffer.buffer("\"x\""))).isEqualTo("\"x\"");
    assertThatThrownBy(() -> AppApi.jsonValue(Buffer.buffer("{x"))).isInstanceOf(HubError.class);
  }

  @Test
  void staticPeersParse() {
    assertThat(SidecarConfig.parseStaticPeers("b=127.0.0.1:7171, c=[::1]:7271,"))
        .containsExactly(new SidecarConfig.StaticPeer("b", "127.0.0.1:7171"), new SidecarConfig.StaticPeer("c", "[::1]:7271"));
    assertThat(SidecarConfig.parseStaticPeers("")).isEmpty();
    assertThatThrownBy(() -> SidecarConfig.parseStaticPeers("b127.0.0.1:7171")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SidecarConfig.parseStaticPeers("b=nohostport")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePeerTokenComesFromItsFileFirst(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("token");
    java.nio.file.Files.writeString(file, "from-file\n");
    Map<String, String> env = Map.of("PROCGROUP_GROUP", "g", "PROCGROUP_PROCESS", "web", "PROCGROUP_POD_NAME", "p",
        "PROCGROUP_HUB_TOKEN_FILE", file.toString(), "PROCGROUP_HUB_TOKEN", "from-env", "PROCGROUP_STATIC_PEERS", "");
    assertThat(SidecarConfig.fromEnv(env).hubToken).isEqualTo("from-file");
    Map<String, String> missing = new java.util.HashMap<>(env);
    missing.put("PROCGROUP_HUB_TOKEN_FILE", dir.resolve("nope").toString());
    assertThatThrownBy(() -> SidecarConfig.fromEnv(missing)).hasMessageContaining("missing, unreadable or empty");
  }

  @Test
  void aChangedTokenFileIsSentAtOnceAndThePreviousTokenAcceptedForTheGrace(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("token");
    java.nio.file.Files.writeString(file, "old");
    FakeTimers timers = new FakeTimers();
    PeerToken t = new PeerToken("old", file, timers);
    assertThat(t.refresh(0)).isFalse();
    java.nio.file.Files.writeString(file, "new\n");
    assertThat(t.refresh(1000)).isTrue();
    assertThat(t.current()).isEqualTo("new");
    assertThat(t.allows("Bearer new", 1000)).isTrue();
    assertThat(t.allows("Bearer old", 1000 + PeerToken.GRACE_MS - 1)).isTrue();
    assertThat(t.allows("Bearer old", 1000 + PeerToken.GRACE_MS)).isFalse();
    assertThat(t.allows("Bearer other", 1000)).isFalse();
    java.nio.file.Files.writeString(file, ""); // a Secret being replaced: an empty file is no token
    assertThat(t.refresh(2000)).isFalse();
    assertThat(t.current()).isEqualTo("new");
    PeerToken fixed = new PeerToken("fixed", null, timers);
    assertThat(fixed.refresh(0)).isFalse();
    assertThat(fixed.allows("Bearer fixed", 0)).isTrue();
  }

  @Test
  void configFromEnvNeedsTheOperatorVariablesAndADiscoveryMode() {
    Map<String, String> env = Map.of("PROCGROUP_GROUP", "g", "PROCGROUP_PROCESS", "web", "PROCGROUP_POD_NAME", "p",
        "PROCGROUP_HUB_TOKEN", "t", "PROCGROUP_STATIC_PEERS", "", "PROCGROUP_HUB_PORT", "17070");
    SidecarConfig c = SidecarConfig.fromEnv(env);
    assertThat(c.hubPort).isEqualTo(17070);
    assertThat(c.hubHost).isEqualTo("127.0.0.1");
    assertThat(c.discoveryMode).isEqualTo(SidecarConfig.DiscoveryMode.STATIC);
    assertThat(c.maxBodyBytes).isEqualTo(1 << 20);

    Map<String, String> noToken = new java.util.HashMap<>(env);
    noToken.remove("PROCGROUP_HUB_TOKEN");
    assertThatThrownBy(() -> SidecarConfig.fromEnv(noToken)).hasMessageContaining("PROCGROUP_HUB_TOKEN");

    Map<String, String> noDiscovery = new java.util.HashMap<>(env);
    noDiscovery.remove("PROCGROUP_STATIC_PEERS");
    assertThatThrownBy(() -> SidecarConfig.fromEnv(noDiscovery)).hasMessageContaining("Kubernetes discovery");

    Map<String, String> kube = new java.util.HashMap<>(noDiscovery);
    kube.put("PROCGROUP_KUBE_API_URL", "https://127.0.0.1:6443");
    kube.put("PROCGROUP_KUBE_TOKEN", "abc");
    assertThatThrownBy(() -> SidecarConfig.fromEnv(kube)).hasMessageContaining("PROCGROUP_HUB_SERVICE");
    kube.put("PROCGROUP_HUB_SERVICE", "shop-hub");
    SidecarConfig k = SidecarConfig.fromEnv(kube);
    assertThat(k.hubService).isEqualTo("shop-hub");
    assertThat(k.discoveryMode).isEqualTo(SidecarConfig.DiscoveryMode.KUBERNETES);
    assertThat(k.kube.currentToken()).isEqualTo("abc");
    assertThat(k.kube.port()).isEqualTo(6443);
  }

  @Test
  void remoteErrorFramesGetDefaultsForMissingFields() {
    HubError e = HubError.remote(null);
    assertThat(e.name).isEqualTo("Error");
    assertThat(e.getMessage()).isEmpty();
    assertThat(e.source).isEqualTo("remote");
    assertThat(e.outcome()).isEqualTo("remote_error");
  }
}

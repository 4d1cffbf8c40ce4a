package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer mTLS with real certificates on real sidecars over loopback: each sidecar makes its key, sends a CSR to an
 * issuer (the test's stand-in for the operator's: {@link TestCa.Issuer}) and presents the short-lived certificate it
 * gets; sidecars of one group call each other over TLS 1.3, another group's certificate, an expired one, one from
 * another CA or none fail the handshake, and certificates rotate before they expire while calls go on.
 */
class MtlsPeersIT {

  static final String TRUST_DOMAIN = "cluster.local";
  static final Duration TTL = Duration.ofSeconds(4);
  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  static TestCa ca = new TestCa("procgroup-identity-test");
  static volatile TestCa.Issuer issuer;
  static int issuerPort;
  static Sidecar a, b, other;
  static TestApp publisher;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    issuer = ca.new Issuer(vertx, TTL, 0);
    issuerPort = issuer.server.actualPort();
    int peerA = TestPorts.free(), peerB = TestPorts.free(), peerOther = TestPorts.free();
    a = Await.of(new Sidecar(config("a", "web", "mtls", peerA, Map.of("b", peerB))).start());
    b = Await.of(new Sidecar(config("b", "background", "mtls", peerB, Map.of("a", peerA))).start());
    // another group that lists a as its peer: its certificate names group "other"
    other = Await.of(new Sidecar(config("o", "web", "other", peerOther, Map.of("a", peerA))).start());
    publisher = TestApp.connect(vertx, b.hubPort()).publish("echo", "say").notRecording();
  }

  static SidecarConfig config(String pod, String process, String group, int peerPort, Map<String, Integer> peers)
      throws Exception {
    Path token = dir.resolve(pod + "-token");
    Files.writeString(token, "default/" + group);
    List<SidecarConfig.StaticPeer> list = new ArrayList<>();
    peers.forEach((p, port) -> list.add(new SidecarConfig.StaticPeer(p, "127.0.0.1:" + port)));
    return SidecarConfig.builder().group(group).namespace("default").process(process).podName(pod).hubPort(0)
        .peerHost("127.0.0.1").peerPort(peerPort).metricsHost("127.0.0.1").metricsPort(0).appMetrics("off")
        .staticPeers(list).identity(new SidecarConfig.IdentitySettings(issuer.url(), TestCa.pem(ca.cert), token,
            TRUST_DOMAIN)).build();
  }

  @AfterAll
  static void stop() {
    publisher.close();
    for (Sidecar s : List.of(a, b, other)) Await.of(s.stop());
    issuer.close();
    Await.of(vertx.close());
  }

  static String id(String group) {
    return PeerIdentity.spiffeId(TRUST_DOMAIN, "default", group);
  }

  /** A TLS client with the given certificate (or none), recording what the server presented. */
  static final class Client {
    X509Certificate[] serverChain;
    String protocol;

    /** Handshakes and sends one plain request; the answer's status line, or throws on a failed handshake. */
    String call(int port, KeyPair key, X509Certificate cert) throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      if (cert != null) ks.setKeyEntry("me", key.getPrivate(), new char[0], new Certificate[] {cert});
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      TrustManager recordAll = new X509TrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { serverChain = chain; }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      };
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), new TrustManager[] {recordAll}, null);
      try (Socket raw = new Socket()) {
        raw.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        raw.setSoTimeout(5000);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, "127.0.0.1", port, true)) {
          s.startHandshake();
          protocol = s.getSession().getProtocol();
          s.getOutputStream().write("GET /peer/v1/objects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          byte[] buf = new byte[4096];
          int n = s.getInputStream().read(buf); // TLS 1.3: a refused client certificate shows up at the first read
          if (n < 0) throw new javax.net.ssl.SSLException("closed without an answer");
          return new String(buf, 0, n, StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        }
      }
    }
  }

  X509Certificate leaf(KeyPair key, String spiffeId, Instant from, Instant to) {
    return ca.issue(key.getPublic(), spiffeId, from, to);
  }

  @Test
  void sidecarsOfOneGroupCallEachOtherOverTls13() throws Exception {
    Http.Resp r = http.invoke(a.hubPort(), "echo", "say", "[\"over tls\"]", Map.of());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getJsonObject("result").getJsonArray("echo").getString(0)).isEqualTo("over tls");

    KeyPair key = PeerIdentity.newKey();
    Client c = new Client();
    String status = c.call(b.peerPort(), key, leaf(key, id("mtls"), Instant.now().minusSeconds(5),
        Instant.now().plusSeconds(60)));
    assertThat(status).startsWith("HTTP/1.1 200");
    assertThat(c.protocol).isEqualTo("TLSv1.3");
    assertThat(PeerIdentity.uriSan(c.serverChain[0])).isEqualTo(id("mtls"));
    c.serverChain[0].verify(ca.cert.getPublicKey());
    assertThat(http.get(a.metricsPort(), "/metrics").body()).contains("procgroup_hub_identity_renewals_total{outcome=\"ok\"}");
  }

  @Test
  void anotherGroupsExpiredForeignOrMissingCertificateFailsTheHandshake() throws Exception {
    KeyPair key = PeerIdentity.newKey();
    Instant now = Instant.now();
    TestCa foreignCa = new TestCa("someone-else");
    Map<String, X509Certificate> refused = Map.of(
        "another group's", leaf(key, id("other"), now.minusSeconds(5), now.plusSeconds(60)),
        "an expired", leaf(key, id("mtls"), now.minusSeconds(120), now.minusSeconds(60)),
        "another namespace's", leaf(key, PeerIdentity.spiffeId(TRUST_DOMAIN, "elsewhere", "mtls"),
            now.minusSeconds(5), now.plusSeconds(60)),
        "another CA's", foreignCa.issue(key.getPublic(), id("mtls"), now.minusSeconds(5), now.plusSeconds(60)),
        "a SPIFFE-less", leaf(key, null, now.minusSeconds(5), now.plusSeconds(60)));
    String before = http.get(a.metricsPort(), "/metrics").body();
    for (var e : refused.entrySet()) {
      assertThatThrownBy(() -> new Client().call(a.peerPort(), key, e.getValue())).as(e.getKey() + " certificate")
          .isInstanceOf(java.io.IOException.class);
    }
    assertThatThrownBy(() -> new Client().call(a.peerPort(), key, null)).as("no certificate")
        .isInstanceOf(java.io.IOException.class);
    // plaintext, with or without the old bearer token: no HTTP answer at all
    try (Raw raw = new Raw(a.peerPort())) {
      raw.send("GET /peer/v1/objects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n");
      assertThat(raw.answer(3000).status()).isZero();
    }
    // the other group's sidecar itself: its fetch of a's objects fails the handshake, so it sees nothing of a's
    await().atMost(Duration.ofSeconds(10)).until(() -> AbstractHubIT.metricValue(http.get(a.metricsPort(),
        "/metrics").body(), "procgroup_hub_peer_auth_failures_total")
        >= AbstractHubIT.metricValue(before, "procgroup_hub_peer_auth_failures_total") + refused.size() + 2);
    TestApp onA = TestApp.connect(vertx, a.hubPort()).publish("secretThing", "get");
    try {
      Http.Resp fromOther = http.invoke(other.hubPort(), "secretThing", "get", "[]", Map.of());
      assertThat(fromOther.status()).isEqualTo(404);
      assertThat(fromOther.errorName()).isEqualTo("ObjectNotFound");
      assertThat(http.get(other.metricsPort(), "/metrics").body()).contains("procgroup_hub_peer_errors_total{op=\"objects\"");
    } finally {
      onA.close();
    }
  }

  /**
   * The issuer away for a while: renewals fail (counted) and are retried with backoff, the sidecar keeps its current
   * certificate meanwhile, and once the issuer is back it renews and new handshakes succeed again.
   */
  @Test
  void anIssuerOutageIsRetriedAndRecoveredFrom() throws Exception {
    String failedBefore = http.get(b.metricsPort(), "/metrics").body();
    double failed0 = metricOr0(failedBefore, "procgroup_hub_identity_renewals_total{outcome=\"failed\"}");
    issuer.close();
    try {
      await().atMost(Duration.ofSeconds(15)).until(() -> metricOr0(http.get(b.metricsPort(), "/metrics").body(),
          "procgroup_hub_identity_renewals_total{outcome=\"failed\"}") > failed0);
    } finally {
      issuer = ca.new Issuer(vertx, TTL, issuerPort); // same URL
    }
    for (Sidecar s : List.of(a, b)) { // both ends renew once the issuer is back
      double ok0 = metricOr0(http.get(s.metricsPort(), "/metrics").body(), "procgroup_hub_identity_renewals_total{outcome=\"ok\"}");
      await().atMost(Duration.ofSeconds(20)).until(() -> metricOr0(http.get(s.metricsPort(), "/metrics").body(),
          "procgroup_hub_identity_renewals_total{outcome=\"ok\"}") > ok0);
    }
    KeyPair key = PeerIdentity.newKey();
    Client c = new Client();
    assertThat(c.call(b.peerPort(), key, leaf(key, id("mtls"), Instant.now().minusSeconds(5),
        Instant.now().plusSeconds(60)))).startsWith("HTTP/1.1 200");
    c.serverChain[0].checkValidity();
    assertThat(http.invoke(a.hubPort(), "echo", "say", "[\"after the outage\"]", Map.of()).status()).isEqualTo(200);
  }

  static double metricOr0(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1).trim());
    }
    return 0;
  }

  /** Figures only: the two-sidecar call with mTLS against the same call on a plaintext pair, in the same run. */
  @Test
  void measureTheMtlsHopAgainstPlaintext() throws Exception {
    int peerP = TestPorts.free(), peerQ = TestPorts.free();
    SidecarConfig.Builder base = SidecarConfig.builder().group("plain").namespace("default").hubToken("t").hubPort(0)
        .peerHost("127.0.0.1").metricsHost("127.0.0.1").metricsPort(0).appMetrics("off");
    Sidecar p = Await.of(new Sidecar(base.process("web").podName("p").peerPort(peerP)
        .staticPeers(List.of(new SidecarConfig.StaticPeer("q", "127.0.0.1:" + peerQ))).build()).start());
    Sidecar q = Await.of(new Sidecar(SidecarConfig.builder().group("plain").namespace("default").hubToken("t")
        .hubPort(0).peerHost("127.0.0.1").metricsHost("127.0.0.1").metricsPort(0).appMetrics("off")
        .process("background").podName("q").peerPort(peerQ)
        .staticPeers(List.of(new SidecarConfig.StaticPeer("p", "127.0.0.1:" + peerP))).build()).start());
    TestApp onQ = TestApp.connect(vertx, q.hubPort()).notRecording().publish("echo", "say");
    try {
      String payload = "[\"" + "x".repeat(1000) + "\"]";
      long acceptedBefore = b.peerConnectionsAccepted();
      warmUp(a.hubPort(), payload);
      warmUp(p.hubPort(), payload);
      // alternating blocks, so that load from the other engineers' builds and the JIT hit both alike
      long[] mtls = new long[2000];
      long[] plain = new long[2000];
      for (int block = 0; block < 4; block++) {
        timeCalls(a.hubPort(), payload, mtls, block * 500, 500);
        timeCalls(p.hubPort(), payload, plain, block * 500, 500);
      }
      java.util.Arrays.sort(mtls);
      java.util.Arrays.sort(plain);
      long handshakes = b.peerConnectionsAccepted() - acceptedBefore;
      // connections are reused: all these sequential calls need no more handshakes than the pool holds
      assertThat(handshakes).as("TLS connections opened to b for %d calls", WARMUP + mtls.length)
          .isLessThanOrEqualTo(16);
      String line = String.format("[measure] peer call (app -> sidecar -> sidecar -> publisher, 1 KB, %d sequential "
              + "calls after " + WARMUP + " warm-up calls, loopback, test JVM flags): mTLS p50=%.0fus p99=%.0fus (%d handshakes); plaintext+token p50=%.0fus "
              + "p99=%.0fus",
          mtls.length, mtls[mtls.length / 2] / 1e3, mtls[mtls.length * 99 / 100] / 1e3, handshakes,
          plain[plain.length / 2] / 1e3, plain[plain.length * 99 / 100] / 1e3);
      System.out.println(line);
      Files.writeString(Path.of("target", "mtls-figures.txt"), line + "\n");
    } finally {
      onQ.close();
      Await.of(p.stop());
      Await.of(q.stop());
    }
  }

  /** Enough calls for the JIT to compile the TLS path too: with 500 the mTLS figure was twice the plaintext one. */
  static final int WARMUP = Integer.getInteger("mtls.warmup", 6000);

  static void warmUp(int hubPort, String payload) {
    for (int i = 0; i < WARMUP; i++) assertThat(http.invoke(hubPort, "echo", "say", payload, Map.of()).status()).isEqualTo(200);
  }

  static void timeCalls(int hubPort, String payload, long[] into, int from, int n) {
    for (int i = from; i < from + n; i++) {
      long s = System.nanoTime();
      assertThat(http.invoke(hubPort, "echo", "say", payload, Map.of()).status()).isEqualTo(200);
      into[i] = System.nanoTime() - s;
    }
  }

  @Test
  void certificatesRotateBeforeTheyExpireAndCallsGoOn() throws Exception {
    KeyPair key = PeerIdentity.newKey();
    Client probe = new Client();
    probe.call(b.peerPort(), key, leaf(key, id("mtls"), Instant.now().minusSeconds(5), Instant.now().plusSeconds(60)));
    X509Certificate first = probe.serverChain[0];
    int issuedBefore = issuer.issued.get();
    // renewal at half the 4 s lifetime: a new certificate (new serial, new key) well before the first expires
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      Client c = new Client();
      c.call(b.peerPort(), key, leaf(key, id("mtls"), Instant.now().minusSeconds(5), Instant.now().plusSeconds(60)));
      BigInteger serial = c.serverChain[0].getSerialNumber();
      return !serial.equals(first.getSerialNumber()) && Instant.now().isBefore(first.getNotAfter().toInstant());
    });
    // after the first certificate expired: new handshakes present a valid one and calls across pods succeed
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(first.getNotAfter().toInstant()));
    Client after = new Client();
    assertThat(after.call(b.peerPort(), key, leaf(key, id("mtls"), Instant.now().minusSeconds(5),
        Instant.now().plusSeconds(60)))).startsWith("HTTP/1.1 200");
    after.serverChain[0].checkValidity();
    assertThat(after.serverChain[0].getPublicKey()).isNotEqualTo(first.getPublicKey());
    for (int i = 0; i < 5; i++) {
      assertThat(http.invoke(a.hubPort(), "echo", "say", "[" + i + "]", Map.of()).status()).isEqualTo(200);
    }
    assertThat(issuer.issued.get()).isGreaterThan(issuedBefore);
  }
}

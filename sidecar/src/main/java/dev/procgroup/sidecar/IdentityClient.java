package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * Gets and renews this sidecar's certificate from the identity issuer in the operator (SECURITY.md): a fresh key
 * made in memory for every certificate, a CSR, and the projected ServiceAccount token (audience
 * {@code procgroup-identity}, rotated by the kubelet: re-read for every request) as the proof of who asks. Over HTTPS
 * to the issuer, trusting the group CA only and checking the issuer's host name, so the token goes nowhere else.
 * Renewal at half the certificate's lifetime; a failed attempt is retried with backoff (1 s doubling to 30 s) while
 * the current certificate stays in use.
 */
final class IdentityClient {

  private static final Logger LOG = System.getLogger(IdentityClient.class.getName());
  static final String AUDIENCE = "procgroup-identity";
  static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final SidecarConfig.IdentitySettings settings;
  private final PeerIdentity identity;
  private final HubMetrics metrics;
  private final String podName;
  private final HttpClientAgent client;
  private long timer = -1;
  private long backoffMs = 1000;
  private volatile boolean stopped;

  IdentityClient(Vertx vertx, SidecarConfig.IdentitySettings settings, PeerIdentity identity, HubMetrics metrics,
                 String podName) {
    this.vertx = vertx;
    this.settings = settings;
    this.identity = identity;
    this.metrics = metrics;
    this.podName = podName;
    this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(settings.caPem())))
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3", "TLSv1.2")).setConnectTimeout(5000)
        .setKeepAlive(false));
  }

  /** Completes with the first certificate installed; retries until it has one (the startup probe bounds that). */
  Future<Void> start() {
    Promise<Void> first = Promise.promise();
    attempt(first);
    return first.future();
  }

  void stop() {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    client.close();
  }

  private void attempt(Promise<Void> first) {
    if (stopped) return;
    renewOnce().onComplete(ar -> {
      if (ar.succeeded()) {
        backoffMs = 1000;
        metrics.identityRenewal("ok", ar.result().getNotAfter().getTime() / 1000.0);
        if (first != null) first.tryComplete();
        schedule(renewDelayMs(ar.result()), null);
      } else {
        metrics.identityRenewal("failed", -1);
        LOG.log(first != null ? Level.WARNING : Level.ERROR, "peer certificate from {0} failed: {1}; retrying in {2} ms",
            settings.issuerUrl(), ar.cause().getMessage(), backoffMs);
        long delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        schedule(delay, first);
      }
    });
  }

  private void schedule(long delayMs, Promise<Void> first) {
    if (stopped) return;
    timer = vertx.setTimer(Math.max(1, delayMs), id -> attempt(first));
  }

  /** Half the lifetime from now on, at least 1 s. */
  static long renewDelayMs(X509Certificate cert) {
    long lifetime = cert.getNotAfter().getTime() - cert.getNotBefore().getTime();
    long at = cert.getNotBefore().getTime() + lifetime / 2;
    return Math.max(1000, at - System.currentTimeMillis());
  }

  /** One CSR to the issuer; succeeds with the new leaf once installed. */
  Future<X509Certificate> renewOnce() {
    KeyPair keys;
    String csr;
    String token;
    try {
      keys = PeerIdentity.newKey();
      csr = Csr.pem(keys, podName);
      token = SidecarConfig.readFile(settings.tokenFile()).filter(t -> !t.isBlank()).orElseThrow(() ->
          new IllegalStateException("no identity token at " + settings.tokenFile()));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(settings.issuerUrl())
        .setIdleTimeout(10_000).putHeader("Authorization", "Bearer " + token)
        .putHeader("Content-Type", "application/json");
    Buffer body = new JsonObject().put("csr", csr).toBuffer();
    return client.request(o).compose(req -> req.send(body).compose(resp -> resp.body().map(b -> {
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("issuer answered HTTP " + resp.statusCode() + " " + Names.abbreviate(b.toString()));
      }
      return b;
    }))).map(b -> {
      try {
        List<X509Certificate> chain = PeerIdentity.parsePem(new JsonObject(b).getString("certificateChain", ""));
        if (chain.isEmpty()) throw new IllegalStateException("issuer answered no certificate");
        identity.install(PeerIdentity.Credentials.of(keys, chain.toArray(X509Certificate[]::new)));
        LOG.log(Level.INFO, "peer certificate {0} until {1} (serial {2})", identity.expectedId(),
            chain.get(0).getNotAfter().toInstant(), chain.get(0).getSerialNumber().toString(16));
        return chain.get(0);
      } catch (Exception e) {
        throw new IllegalStateException("issuer answered a certificate we cannot use: " + e.getMessage(), e);
      }
    });
  }
}

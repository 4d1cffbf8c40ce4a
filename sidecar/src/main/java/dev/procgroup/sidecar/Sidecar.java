package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * One running sidecar: a Vert.x instance with one event loop that owns all state (hub, peers, discovery) and the
 * three servers. Tests start several in one JVM; {@link Main} starts one per pod.
 */
public final class Sidecar {

  private static final Logger LOG = System.getLogger(Sidecar.class.getName());

  private final SidecarConfig config;
  private final Vertx vertx;
  private Hub hub;
  private Discovery discovery;
  private PeerClient peerClient;
  private final List<HttpServer> servers = new ArrayList<>();
  private volatile boolean started;
  /** Longest the app's start waits for the first view of the group (Hub#firstView): a stalled peer no longer. */
  static final long FIRST_VIEW_MAX_MS = 5000;
  private int hubPort, peerPort, metricsPort;
  private PortGuard appGuard, peerGuard;
  private IdentityClient identityClient;
  private PeerToken peerToken;
  private OtlpExporter spanExporter;

  public Sidecar(SidecarConfig config) {
    this.config = config;
    // One event loop: the hub's state needs no locks, and one core handles far more than the target rate.
    // Native epoll when netty-transport-native-epoll loads (it unpacks its .so into java.io.tmpdir), else NIO.
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1).setPreferNativeTransport(true);
    if (config.extraHosts != null) {
      options.setAddressResolverOptions(new io.vertx.core.dns.AddressResolverOptions()
          .setHostsValue(io.vertx.core.buffer.Buffer.buffer(config.extraHosts)));
    }
    this.vertx = Vertx.vertx(options);
  }

  public Future<Sidecar> start() {
    return vertx.deployVerticle(new HubVerticle()).map(id -> this);
  }

  public Future<Void> stop() {
    return vertx.close();
  }

  public int hubPort() { return hubPort; }
  public int peerPort() { return peerPort; }
  public int metricsPort() { return metricsPort; }
  public SidecarConfig config() { return config; }
  /** Open connections on the app / peer port, as the connection caps count them. */
  public int appConnections() { return appGuard.openConnections(); }
  public int peerConnections() { return peerGuard.openConnections(); }
  /** Connections accepted on the peer port so far (with mTLS: completed handshakes). */
  public long peerConnectionsAccepted() { return peerGuard.acceptedConnections(); }

  private final class HubVerticle extends VerticleBase {
    @Override public Future<?> start() {
      HubMetrics metrics = new HubMetrics();
      if (config.identity == null) return startServers(metrics, null);
      // mTLS: the peer port needs our certificate before it listens (the startup probe waits for that)
      PeerIdentity identity;
      try {
        identity = new PeerIdentity(config.identity.trustDomain(), config.namespace, config.group,
            PeerIdentity.parsePem(config.identity.caPem()));
      } catch (java.security.cert.CertificateException e) {
        return Future.failedFuture(e);
      }
      identityClient = new IdentityClient(vertx, config.identity, identity, metrics, config.podName);
      return identityClient.start().compose(v -> startServers(metrics, identity));
    }

    private Future<?> startServers(HubMetrics metrics, PeerIdentity identity) {
      LocalHub local = new LocalHub(Timers.of(vertx), metrics);
      if (identity == null) {
        peerToken = new PeerToken(config.hubToken, config.hubTokenFile, Timers.of(vertx));
        peerToken.start();
      }
      peerClient = new PeerClient(vertx, peerToken, identity, config.limits, metrics, config.podName);
      hub = new Hub(config, local, metrics, peerClient, Timers.of(vertx));
      if (config.otlpEndpoint != null) {
        spanExporter = new OtlpExporter(vertx, config.otlpEndpoint, config, metrics, Timers.of(vertx));
        hub.tracing = new Tracing(spanExporter);
      }
      AppApi app = new AppApi(hub, Timers.of(vertx));
      PeerApi peer = new PeerApi(hub, peerToken);
      OpsApi ops = new OpsApi(metrics, new AppProcessMetrics(config), () -> started,
          () -> started ? hub.notReadyReason() : "the sidecar is starting", () -> hub.localObjectsDocument().toBuffer());
      discovery = config.discoveryMode == SidecarConfig.DiscoveryMode.STATIC
          ? new StaticDiscovery(config.staticPeers) : new KubeDiscovery(vertx, config, metrics);

      // No WebSocket compression: frames are small and local; deflate (which Node's ws client offers by default)
      // would cost CPU on both ends of a loopback connection.
      Limits limits = config.limits;
      appGuard = new PortGuard("app", limits.appMaxConnections(), limits.headerReadTimeoutMs(),
          limits.bodyReadTimeoutMs(), limits.appIdleTimeoutMs(), metrics);
      peerGuard = new PortGuard("peer", limits.peerMaxConnections(), limits.headerReadTimeoutMs(),
          limits.bodyReadTimeoutMs(), limits.peerIdleTimeoutMs(), metrics);
      // The metrics port serves probes and scrapes: the peer port's caps and timeouts fit it too.
      PortGuard opsGuard = new PortGuard("metrics", limits.peerMaxConnections(), limits.headerReadTimeoutMs(),
          limits.bodyReadTimeoutMs(), limits.peerIdleTimeoutMs(), metrics);
      HttpServerOptions appOptions = serverOptions(limits)
          .setMaxWebSocketFrameSize(config.maxBodyBytes).setMaxWebSocketMessageSize(config.maxBodyBytes)
          .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
          // a client that does not answer our close frame loses its socket after 2 s (Vert.x's default is 10 s)
          .setWebSocketClosingTimeout(2);
      HttpServer appServer = vertx.createHttpServer(appOptions).connectionHandler(appGuard::install)
          .requestHandler(app::handle); // /v1/connect upgrades there too (AppApi.upgrade)
      HttpServerOptions peerOptions = serverOptions(limits);
      if (identity != null) {
        peerOptions.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setUseAlpn(false)
            .setKeyCertOptions(KeyCertOptions.wrap(identity.keyManager()))
            .setTrustOptions(TrustOptions.wrap(identity.trustManager()))
            .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
            .setSslHandshakeTimeout(limits.headerReadTimeoutMs()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
      }
      HttpServer peerServer = vertx.createHttpServer(peerOptions).connectionHandler(peerGuard::install)
          .requestHandler(peer::handle).exceptionHandler(t -> {
            if (t instanceof javax.net.ssl.SSLException) {
              metrics.peerAuthFailure(); // another group's certificate, an expired one, none, or not TLS at all
              LOG.log(Level.DEBUG, "peer TLS handshake refused: {0}", t.getMessage());
            }
          });
      HttpServer opsServer = vertx.createHttpServer(serverOptions(limits)).connectionHandler(opsGuard::install)
          .requestHandler(ops::handle);
      servers.add(appServer);
      servers.add(peerServer);
      servers.add(opsServer);
      return Future.all(appServer.listen(config.hubPort, config.hubHost),
              peerServer.listen(config.peerPort, config.peerHost),
              opsServer.listen(config.metricsPort, config.metricsHost))
          .compose(v -> {
            hubPort = appServer.actualPort();
            peerPort = peerServer.actualPort();
            metricsPort = opsServer.actualPort();
            return discovery.start(hub);
          })
          .compose(v -> hub.firstView(FIRST_VIEW_MAX_MS))
          .onSuccess(v -> {
            started = true;
            LOG.log(Level.INFO, "procgroup sidecar {0}/{1} pod {2}: hub {3}:{4,number,#}, peer {5}:{6,number,#}, "
                    + "metrics {7}:{8,number,#}, discovery {9}, transport {10}, peers {11}, spans {12}", config.group, config.process,
                config.podName, config.hubHost, hubPort, config.peerHost, peerPort, config.metricsHost, metricsPort,
                config.discoveryMode, vertx.isNativeTransportEnabled() ? "epoll" : "nio",
                identity != null ? "mTLS " + identity.expectedId() : "bearer token (plaintext)",
                config.otlpEndpoint == null ? "off" : "OTLP " + config.otlpEndpoint);
          });
    }

    @Override public Future<?> stop() {
      started = false;
      if (discovery != null) discovery.stop();
      if (identityClient != null) identityClient.stop();
      if (peerToken != null) peerToken.stop();
      if (hub != null) hub.local.closeAll();
      List<Future<?>> closing = new ArrayList<>();
      for (HttpServer s : servers) closing.add(s.close());
      if (peerClient != null) closing.add(peerClient.close());
      if (spanExporter != null) closing.add(spanExporter.close());
      return Future.join(closing);
    }
  }

  /**
   * Vert.x's own limits: line and header sizes (414/431). Its idle timeout stays off: {@link PortGuard} runs one that
   * pauses while a request is in progress, which Netty's idle handler cannot.
   */
  private static HttpServerOptions serverOptions(Limits limits) {
    return new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0)
        .setMaxInitialLineLength(limits.maxInitialLineBytes()).setMaxHeaderSize(limits.maxHeaderBytes())
        .setCompressionSupported(false).setHandle100ContinueAutomatically(false)
        // No h2c upgrade: with it Vert.x creates the connection (and calls our connection handler) only once the
        // first request's headers are in, too late for the header-read timeout.
        .setHttp2ClearTextEnabled(false);
  }
}

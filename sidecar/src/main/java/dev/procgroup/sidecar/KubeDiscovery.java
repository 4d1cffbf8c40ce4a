package dev.procgroup.sidecar;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.core.Future;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Discovery by list + watch of the EndpointSlices of the group's headless hub Service ({@code PROCGROUP_HUB_SERVICE},
 * made by the operator with {@code publishNotReadyAddresses}), with a raw Vert.x HTTP client against the Kubernetes
 * API. Slices, not pods: a Pod object carries every container's environment, so reading pods would let any sidecar
 * read other workloads' inline env values; a slice carries addresses and readiness only. Whether a listed pod's
 * sidecar answers is the hub's to find out (it probes), not the kubelet's container readiness.
 *
 * <p>Why not the fabric8 client: it would bring Jackson databind, the whole model jar family and its own HTTP
 * stack into a process that is paid once per pod; the sidecar needs one list and one watch on one resource,
 * parsed with the JSON support Vert.x already has. A watch is newline-delimited JSON events
 * ({@code {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}}); on 410 Gone or any error it
 * re-lists, and removes pods the new list no longer has.
 */
final class KubeDiscovery implements Discovery {

  private static final Logger LOG = System.getLogger(KubeDiscovery.class.getName());
  static final int WATCH_TIMEOUT_SECONDS = 290;

  private final Vertx vertx;
  private final SidecarConfig config;
  private final KubeAccess kube;
  private final HubMetrics metrics;
  private final HttpClientAgent client;
  private final String slicesPath;
  private final EndpointSliceView view;
  private Listener listener;
  private String resourceVersion;
  private boolean synced;
  private boolean stopped;
  private long backoffMs = 500;

  KubeDiscovery(Vertx vertx, SidecarConfig config, HubMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.kube = config.kube;
    this.metrics = metrics;
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000)
        .setDefaultHost(kube.apiUrl().getHost().replace("[", "").replace("]", "")).setDefaultPort(kube.port());
    if (kube.tls()) {
      options.setSsl(true);
      if (kube.insecure()) {
        options.setTrustAll(true).setVerifyHost(false);
      } else if (kube.caFile() != null) {
        options.setTrustOptions(new PemTrustOptions().addCertPath(kube.caFile().toString()));
      }
      if (kube.clientCertFile() != null && kube.clientKeyFile() != null) {
        options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(kube.clientCertFile().toString())
            .setKeyPath(kube.clientKeyFile().toString()));
      }
    }
    this.client = vertx.createHttpClient(options);
    String base = kube.apiUrl().getPath() == null ? "" : kube.apiUrl().getPath().replaceAll("/+$", "");
    this.slicesPath = base + "/apis/discovery.k8s.io/v1/namespaces/" + config.namespace + "/endpointslices?labelSelector="
        + URLEncoder.encode("kubernetes.io/service-name=" + config.hubService, StandardCharsets.UTF_8);
    this.view = new EndpointSliceView(config.peerPort);
  }

  @Override public Future<Void> start(Listener l) {
    this.listener = l;
    list();
    return Future.succeededFuture();
  }

  @Override public void stop() {
    stopped = true;
    client.close();
  }

  private RequestOptions request(String uri, long idleTimeoutMs) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri).setIdleTimeout(idleTimeoutMs)
        .putHeader("Accept", "application/json");
    String token = kube.currentToken();
    if (token != null) o.putHeader("Authorization", "Bearer " + token);
    return o;
  }

  private void list() {
    if (stopped) return;
    client.request(request(slicesPath, 30_000)).compose(req -> req.send()
        .compose(resp -> resp.body().map(body -> { // body() in the response's own callback
          if (resp.statusCode() != 200) throw new IllegalStateException("list endpointslices: HTTP " + resp.statusCode() + " "
              + abbreviate(body));
          return new JsonObject(body);
        })))
        .onSuccess(this::applyList)
        .onFailure(this::retryLater);
  }

  private void applyList(JsonObject sliceList) {
    metrics.discoveryEvent("RELIST");
    List<JsonObject> slices = new ArrayList<>();
    for (Object o : sliceList.getJsonArray("items", new io.vertx.core.json.JsonArray())) {
      if (o instanceof JsonObject slice) slices.add(slice);
    }
    report(view.replaceAll(slices));
    resourceVersion = sliceList.getJsonObject("metadata", new JsonObject()).getString("resourceVersion");
    if (!synced) {
      synced = true;
      listener.synced();
    }
    backoffMs = 500;
    watch();
  }

  private void watch() {
    if (stopped) return;
    String uri = slicesPath + "&watch=true&allowWatchBookmarks=true&timeoutSeconds=" + WATCH_TIMEOUT_SECONDS
        + (resourceVersion != null ? "&resourceVersion=" + resourceVersion : "");
    client.request(request(uri, (WATCH_TIMEOUT_SECONDS + 60) * 1000L))
        .compose(req -> req.send().onSuccess(this::consumeWatch)) // handlers set as the response arrives
        .onFailure(this::retryLater);
  }

  private void consumeWatch(HttpClientResponse resp) {
    if (resp.statusCode() != 200) {
      resp.body().onComplete(b -> retryLater(new IllegalStateException("watch endpointslices: HTTP " + resp.statusCode())));
      return;
    }
    boolean[] relisting = {false};
    RecordParser lines = RecordParser.newDelimited("\n", resp);
    lines.handler(line -> {
      if (relisting[0] || line.length() == 0) return;
      if (!onWatchEvent(line)) {
        relisting[0] = true;
        resp.request().connection().close(); // stop this stream; the relist starts a new one
        list();
      }
    });
    lines.exceptionHandler(t -> {
      if (!relisting[0]) {
        relisting[0] = true;
        retryLater(t);
      }
    });
    lines.endHandler(v -> {
      if (!relisting[0]) watch(); // the server ended the watch (timeoutSeconds): resume from resourceVersion
    });
  }

  /** Applies one watch event; false when the watch must be restarted with a fresh list (e.g. 410 Gone). */
  boolean onWatchEvent(Buffer line) {
    JsonObject event;
    try {
      event = new JsonObject(line);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "unparsable watch event: {0}", abbreviate(line));
      return false;
    }
    String type = event.getString("type", "");
    JsonObject object = event.getJsonObject("object", new JsonObject());
    if (!"BOOKMARK".equals(type) && !"ERROR".equals(type)) metrics.discoveryEvent(type);
    switch (type) {
      case "ADDED", "MODIFIED" -> report(view.put(object));
      case "DELETED" -> report(view.delete(object));
      case "BOOKMARK" -> { }
      case "ERROR" -> {
        LOG.log(Level.INFO, "watch error {0}: relisting", object.getValue("code"));
        resourceVersion = null;
        return false;
      }
      default -> LOG.log(Level.WARNING, "unknown watch event type {0}", type);
    }
    String rv = object.getJsonObject("metadata", new JsonObject()).getString("resourceVersion");
    if (rv != null) resourceVersion = rv;
    return true;
  }

  private void report(EndpointSliceView.Changes changes) {
    changes.upserts().forEach(listener::upsert);
    changes.removals().forEach(listener::removed);
  }

  private void retryLater(Throwable t) {
    if (stopped) return;
    metrics.discoveryError();
    LOG.log(Level.WARNING, "discovery: {0}; retrying in {1} ms", t.getMessage(), backoffMs);
    vertx.setTimer(backoffMs, id -> list());
    backoffMs = Math.min(backoffMs * 2, 30_000);
  }

  private static String abbreviate(Buffer b) {
    String s = b.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}

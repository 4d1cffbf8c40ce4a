package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends ended spans to an OTLP/HTTP endpoint ({@code POST .../v1/traces}, JSON encoding) in batches: a bounded queue
 * (a full one drops the new span, counted), one export in flight at a time, a batch when {@link #MAX_BATCH} spans wait
 * or every {@link #INTERVAL_MS}. A call never waits for any of it; a failed export drops its batch (counted, logged
 * once per failure run) rather than growing memory for a collector that is away. Event-loop confined.
 */
final class OtlpExporter implements Tracing.Sink {

  private static final Logger LOG = System.getLogger(OtlpExporter.class.getName());
  static final int MAX_QUEUE = 2048;
  static final int MAX_BATCH = 512;
  static final long INTERVAL_MS = 1000;
  static final long EXPORT_TIMEOUT_MS = 10_000;

  private final HttpClientAgent client;
  private final RequestOptions request;
  private final JsonObject resource;
  private final HubMetrics metrics;
  private final Timers timers;
  private final ArrayDeque<Tracing.Span> queue = new ArrayDeque<>();
  private boolean exporting;
  private boolean failing;
  private long timerId = -1;
  private boolean closed;

  OtlpExporter(Vertx vertx, URI endpoint, SidecarConfig config, HubMetrics metrics, Timers timers) {
    boolean tls = "https".equals(endpoint.getScheme());
    this.client = vertx.createHttpClient(new HttpClientOptions().setSsl(tls).setKeepAlive(true)
        .setConnectTimeout((int) EXPORT_TIMEOUT_MS));
    this.request = new RequestOptions().setMethod(HttpMethod.POST).setHost(endpoint.getHost())
        .setPort(endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 4318).setSsl(tls)
        .setURI(tracesPath(endpoint)).setIdleTimeout(EXPORT_TIMEOUT_MS)
        .putHeader("Content-Type", "application/json");
    this.resource = new JsonObject().put("attributes", new JsonArray()
        .add(OtlpJson.attribute("service.name", "procgroup-hub"))
        .add(OtlpJson.attribute("service.namespace", config.group))
        .add(OtlpJson.attribute("service.instance.id", config.podName))
        .add(OtlpJson.attribute("k8s.namespace.name", config.namespace))
        .add(OtlpJson.attribute("k8s.pod.name", config.podName))
        .add(OtlpJson.attribute("procgroup.group", config.group))
        .add(OtlpJson.attribute("procgroup.process", config.process)));
    this.metrics = metrics;
    this.timers = timers;
  }

  /** The OTLP/HTTP signal path: {@code /v1/traces} under the base URL, unless the URL names it already. */
  static String tracesPath(URI endpoint) {
    String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
    if (path.endsWith("/v1/traces")) return path;
    return (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + "/v1/traces";
  }

  /** The endpoint setting ({@code PROCGROUP_OTLP_ENDPOINT}), checked at start-up: an http(s) URL with a host. */
  static URI endpoint(String value) {
    URI uri;
    try {
      uri = URI.create(value.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PROCGROUP_OTLP_ENDPOINT is not a URL: " + value);
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("PROCGROUP_OTLP_ENDPOINT must be http(s)://host[:port][/path], was: " + value);
    }
    return uri;
  }

  @Override public void accept(Tracing.Span span) {
    if (closed || queue.size() >= MAX_QUEUE) {
      metrics.spansDropped("queue_full", 1);
      return;
    }
    queue.add(span);
    if (queue.size() >= MAX_BATCH) export();
    else if (timerId < 0) timerId = timers.set(INTERVAL_MS, () -> {
      timerId = -1;
      export();
    });
  }

  /** Sends up to one batch; called again when it completes while more spans wait. */
  Future<Void> export() {
    if (exporting || queue.isEmpty()) return Future.succeededFuture();
    List<Tracing.Span> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) batch.add(queue.poll());
    exporting = true;
    return client.request(request).compose(req -> req.send(OtlpJson.traces(resource, batch).toBuffer()))
        .compose(resp -> resp.body().map(body -> {
          if (resp.statusCode() / 100 != 2) throw new IllegalStateException("HTTP " + resp.statusCode() + " " + body);
          return (Void) null;
        }))
        .andThen(ar -> {
          exporting = false;
          if (ar.succeeded()) {
            metrics.spansExported(batch.size());
            failing = false;
          } else {
            metrics.traceExportFailure();
            metrics.spansDropped("export_failed", batch.size());
            if (!failing) LOG.log(Level.WARNING, "exporting {0} spans to {1} failed (counted in "
                + "procgroup_hub_trace_export_failures_total; logged again after a success): {2}",
                batch.size(), request.getURI(), ar.cause().getMessage());
            failing = true;
          }
          if (!queue.isEmpty() && (queue.size() >= MAX_BATCH || closed)) export();
          else if (!queue.isEmpty() && timerId < 0) timerId = timers.set(INTERVAL_MS, () -> {
            timerId = -1;
            export();
          });
        }).mapEmpty();
  }

  /** On shutdown: one last batch (bounded by the export timeout), then the client closes. */
  Future<Void> close() {
    closed = true;
    timers.cancel(timerId);
    return export().otherwiseEmpty().eventually(client::close);
  }
}

package dev.procgroup.sidecar;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Port 9464: {@code /metrics} (Prometheus text 0.0.4), the kubelet probes, and {@code /objects}: this pod's published
 * objects (the peer API's document), so that an operator's tool ({@code kubectl pg describe}) can list the group's
 * objects and providers through the API server's pod proxy without the peer port's credentials. Names of objects
 * and methods are what the metrics' labels already show to the same readers.
 */
final class OpsApi {

  private final HubMetrics hubMetrics;
  private final AppProcessMetrics appMetrics;
  private final SidecarProcessMetrics selfMetrics = new SidecarProcessMetrics();
  private final BooleanSupplier started;
  private final Supplier<String> notReady;
  private final Supplier<Buffer> objects;

  /**
   * @param started all three servers listen (startupProbe: the app may start)
   * @param notReady why the pod is not Ready (readinessProbe; the reason is the 503's body), null once it is
   * @param objects this pod's published objects, as {@code GET /peer/v1/objects} answers
   */
  OpsApi(HubMetrics hubMetrics, AppProcessMetrics appMetrics, BooleanSupplier started,
      Supplier<String> notReady, Supplier<Buffer> objects) {
    this.hubMetrics = hubMetrics;
    this.appMetrics = appMetrics;
    this.started = started;
    this.notReady = notReady;
    this.objects = objects;
  }

  void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      hubMetrics.badRequest("metrics", "MethodNotAllowed");
      HttpSupport.error(req.response(), HubError.methodNotAllowed("use GET"));
      return;
    }
    switch (req.path()) {
      case "/metrics" -> {
        StringBuilder sb = new StringBuilder(16_384);
        hubMetrics.write(sb);
        appMetrics.write(sb);
        selfMetrics.write(sb);
        req.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(sb.toString());
      }
      case "/objects" -> HttpSupport.json(req.response(), 200, objects.get());
      case "/healthz" -> probe(req, true);
      case "/startupz" -> probe(req, started.getAsBoolean());
      case "/readyz" -> {
        String reason = notReady.get();
        probe(req, reason == null, reason);
      }
      default -> {
        hubMetrics.badRequest("metrics", "NotFound");
        HttpSupport.error(req.response(), new HubError(404, "NotFound", "no such endpoint: " + Names.abbreviate(req.path())));
      }
    }
  }

  private static void probe(HttpServerRequest req, boolean ok) {
    probe(req, ok, null);
  }

  /** 200 {@code {"status":"ok"}}, or 503 {@code {"status":"waiting"}} with the reason when there is one. */
  private static void probe(HttpServerRequest req, boolean ok, String reason) {
    JsonObject body = new JsonObject().put("status", ok ? "ok" : "waiting");
    if (!ok && reason != null) body.put("reason", reason);
    HttpSupport.json(req.response(), ok ? 200 : 503, body.toBuffer());
  }
}

package dev.procgroup.operator.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text), {@code /healthz} (liveness) and {@code /readyz} (readiness) on one port. The
 * probes answer 200 or 503 with a body that says why.
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  /** A probe's verdict and the reason given with it. */
  public record Check(boolean ok, String detail) {
    public static Check ok(String detail) { return new Check(true, detail); }
    public static Check failed(String detail) { return new Check(false, detail); }
  }

  public HttpEndpoints(int port, PrometheusMeterRegistry registry, Supplier<Check> alive, Supplier<Check> ready)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "http-endpoints");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/healthz", ex -> probe(ex, alive));
    server.createContext("/readyz", ex -> probe(ex, ready));
    server.start();
  }

  public int port() { return server.getAddress().getPort(); }

  private static void probe(HttpExchange ex, Supplier<Check> check) throws IOException {
    Check c = check.get();
    respond(ex, c.ok() ? 200 : 503, "text/plain; charset=utf-8", (c.ok() ? "ok: " : "failing: ") + c.detail() + "\n");
  }

  private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

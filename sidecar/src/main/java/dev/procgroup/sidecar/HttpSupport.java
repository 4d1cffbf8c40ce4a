package dev.procgroup.sidecar;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Body reading with a size limit and the JSON/error answers shared by the three HTTP servers. */
final class HttpSupport {
  static final String JSON = "application/json";

  private HttpSupport() {}

  /** Reads the whole body; fails with 413 as soon as it is known to exceed {@code max} bytes. */
  static Future<Buffer> readBody(HttpServerRequest req, int max) {
    String length = req.getHeader("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > max) return Future.failedFuture(HubError.tooLarge(max));
      } catch (NumberFormatException e) {
        return Future.failedFuture(HubError.badRequest("bad Content-Length"));
      }
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(length != null ? Math.max(0, Math.min(max, Integer.parseInt(length.trim()))) : 256);
    req.handler(chunk -> {
      if (body.length() + chunk.length() > max) {
        if (promise.tryFail(HubError.tooLarge(max))) req.pause();
      } else {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> promise.tryComplete(body));
    req.exceptionHandler(promise::tryFail);
    return promise.future();
  }

  static void json(HttpServerResponse resp, int status, Buffer body) {
    if (resp.ended() || resp.closed()) return;
    resp.setStatusCode(status).putHeader("Content-Type", JSON).end(body);
  }

  static void json(HttpServerResponse resp, int status, String body) {
    json(resp, status, Buffer.buffer(body));
  }

  /** Any failure as the protocol's error shape; unexpected exceptions become a structured 500 "HubError". */
  static void error(HttpServerResponse resp, Throwable t) {
    HubError e = t instanceof HubError h ? h : new HubError(500, "HubError", String.valueOf(t.getMessage()));
    if (resp.ended() || resp.closed()) return;
    if ("remote".equals(e.source)) resp.putHeader("Procgroup-Error", "remote");
    if (e.status == 413) {
      // The rest of the body was never read: do not reuse this connection.
      resp.putHeader("Connection", "close");
    }
    json(resp, e.status, e.toBody());
  }
}

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

  /**
   * Reads the whole body; fails with 413 when it exceeds {@code max} bytes. A too large body is still read to its
   * end (and dropped) before the failure is reported: closing a socket with unread input makes the kernel send a
   * reset, which can destroy our 413 answer before the client reads it. Beyond {@code maxDrain} bytes
   * ({@link Limits#tooLargeDrainBytes}) the body is not drained any more: 413 and the connection closes.
   */
  static Future<Buffer> readBody(HttpServerRequest req, int max, long maxDrain) {
    long declared = declaredLength(req);
    if (declared == UNREADABLE) return Future.failedFuture(HubError.badRequest("bad Content-Length"));
    boolean bodyNotSentYet = "100-continue".equalsIgnoreCase(req.getHeader("Expect"));
    if (declared > max && (bodyNotSentYet || declared > maxDrain)) {
      return Future.failedFuture(closing(HubError.tooLarge(max)));
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer(declared >= 0 && declared <= max ? (int) declared : 256);
    long[] seen = {0};
    req.handler(chunk -> {
      seen[0] += chunk.length();
      if (seen[0] <= max) {
        body.appendBuffer(chunk);
      } else if (seen[0] > maxDrain && promise.tryFail(closing(HubError.tooLarge(max)))) {
        req.pause();
      }
    });
    req.endHandler(v -> {
      if (seen[0] > max) promise.tryFail(HubError.tooLarge(max)); else promise.tryComplete(body);
    });
    req.exceptionHandler(promise::tryFail);
    return promise.future();
  }

  /** Marks an error whose answer must close the connection (the request body was left unread). */
  private static ClosingError closing(HubError e) {
    return new ClosingError(e);
  }

  /** A HubError answered with {@code Connection: close}. */
  static final class ClosingError extends RuntimeException {
    final HubError error;

    ClosingError(HubError error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }

  /**
   * Answers a request that will not be served (401) after reading at most {@code maxDrain} bytes of its body: a
   * declared or chunked body longer than that is not read at all, and the answer closes the connection (the client may
   * then see a reset instead of the 401; an unauthenticated sender does not get to make us read megabytes first).
   * {@code then} writes the answer; it runs once.
   */
  static void refuseAfterDrain(HttpServerRequest req, long maxDrain, Runnable then) {
    boolean[] done = {false};
    Runnable once = () -> {
      if (!done[0]) {
        done[0] = true;
        then.run();
      }
    };
    Runnable closing = () -> {
      if (!done[0]) {
        req.pause();
        req.response().putHeader("Connection", "close");
        once.run();
      }
    };
    long declared = declaredLength(req);
    if (declared == UNREADABLE) {
      closing.run();
      return;
    }
    if (declared > maxDrain || (declared < 0 && req.getHeader("Transfer-Encoding") != null)) {
      closing.run();
      return;
    }
    long[] seen = {0};
    req.handler(chunk -> {
      seen[0] += chunk.length();
      if (seen[0] > maxDrain) closing.run();
    });
    req.endHandler(v -> once.run());
    req.exceptionHandler(t -> once.run());
  }

  /** {@link #declaredLength}'s answer for a Content-Length that is no number. */
  static final long UNREADABLE = -2;

  /** The request's Content-Length: -1 when it has none, {@link #UNREADABLE} when it is no number. */
  static long declaredLength(HttpServerRequest req) {
    String length = req.getHeader("Content-Length");
    if (length == null) return -1;
    try {
      long n = Long.parseLong(length.trim());
      return n < 0 ? UNREADABLE : n;
    } catch (NumberFormatException e) {
      return UNREADABLE;
    }
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
    if (resp.ended() || resp.closed()) return;
    if (t instanceof ClosingError c) {
      resp.putHeader("Connection", "close"); // the rest of the body was never read
      t = c.error;
    }
    HubError e = t instanceof HubError h ? h : new HubError(500, "HubError", String.valueOf(t.getMessage()));
    if ("remote".equals(e.source)) resp.putHeader("Procgroup-Error", "remote");
    json(resp, e.status, e.toBody());
  }
}

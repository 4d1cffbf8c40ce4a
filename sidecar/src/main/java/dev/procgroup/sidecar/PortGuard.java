package dev.procgroup.sidecar;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-connection protections of one HTTP/1.1 port that Vert.x has no option for: a connection cap, a
 * header-read timeout (first byte of a request to the end of its headers), a body-read timeout and an idle timeout
 * that runs only while no request is in progress (so a call waiting minutes for its answer is never cut). Limits come
 * from {@link Limits}.
 *
 * <p>Two small Netty handlers per connection, one before Vert.x's HTTP decoder (sees raw bytes: a new request has
 * started) and one after its encoder (sees decoded requests and the responses written). Vert.x exposes the channel
 * only through its internal {@link ConnectionBase}; if a future Vert.x changes that, {@link #install} logs once and
 * the port runs with Vert.x's own limits only (line and header sizes), which {@code PortGuardIT} would catch.
 * Everything runs on the connection's event loop.
 */
final class PortGuard {

  private static final Logger LOG = System.getLogger(PortGuard.class.getName());
  private static volatile boolean warned;

  private final String api;
  private final int maxConnections;
  private final long headerMs, bodyMs, idleMs;
  private final HubMetrics metrics;
  private final AtomicInteger open = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();

  PortGuard(String api, int maxConnections, long headerMs, long bodyMs, long idleMs, HubMetrics metrics) {
    this.api = api;
    this.maxConnections = maxConnections;
    this.headerMs = headerMs;
    this.bodyMs = bodyMs;
    this.idleMs = idleMs;
    this.metrics = metrics;
  }

  int openConnections() {
    return open.get();
  }

  /** Connections accepted so far (with TLS: handshakes completed). */
  long acceptedConnections() {
    return accepted.get();
  }

  /** The server's connection handler: refuses the connection over the cap, else guards it. */
  void install(HttpConnection conn) {
    if (!(conn instanceof ConnectionBase base)) {
      warnOnce("connection " + conn.getClass().getName() + " is not a ConnectionBase");
      return;
    }
    Channel ch = base.channel();
    ChannelPipeline p = ch.pipeline();
    if (p.get("httpDecoder") == null || p.get("httpEncoder") == null) {
      warnOnce("no httpDecoder/httpEncoder in the pipeline " + p.names());
      return;
    }
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      metrics.refused(api, "connection_cap");
      // written from the head of the pipeline: the HTTP encoder takes no raw bytes before a response
      p.firstContext().writeAndFlush(rawError(503, "Service Unavailable", "TooManyConnections",
          "this port has " + maxConnections + " connections open, its limit")).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    accepted.incrementAndGet();
    ch.closeFuture().addListener(f -> open.decrementAndGet());
    Conn c = new Conn();
    p.addBefore("httpDecoder", "procgroupGuardBytes", c.bytes);
    p.addAfter("httpEncoder", "procgroupGuardMessages", c.messages);
    c.idle(p.context(c.bytes));
  }

  private static void warnOnce(String why) {
    if (!warned) {
      warned = true;
      LOG.log(Level.WARNING, "port guard not installed ({0}): header/body/idle timeouts and the connection cap "
          + "are off", why);
    }
  }

  /** A complete HTTP/1.1 answer with the protocol's error body, written below the encoder; the caller closes. */
  static ByteBuf rawError(int status, String phrase, String name, String message) {
    byte[] body = new HubError(status, name, message).toBody().getBytes();
    String head = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    ByteBuf buf = Unpooled.buffer(head.length() + body.length);
    buf.writeBytes(head.getBytes(StandardCharsets.US_ASCII)).writeBytes(body);
    return buf;
  }

  private enum State { IDLE, HEADERS, BODY, ANSWERING, UPGRADED, CLOSED }

  /** One connection's state machine. */
  private final class Conn {
    State state = State.IDLE;
    /** Requests whose response has not been written completely (HTTP/1.1 pipelining allows several). */
    int unanswered;
    ScheduledFuture<?> timer;
    ChannelHandlerContext bytesCtx;
    boolean closeAfterResponse;
    /** An answer's head was written and its end not yet. */
    boolean responseStarted;

    final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
      @Override public void handlerAdded(ChannelHandlerContext ctx) {
        bytesCtx = ctx;
      }

      @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
          state = State.HEADERS;
          arm(headerMs, "header_timeout", "the request headers did not arrive within " + headerMs + " ms");
        }
        ctx.fireChannelRead(msg);
      }

      @Override public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cancel();
        ctx.fireChannelInactive();
      }
    };

    final ChannelDuplexHandler messages = new ChannelDuplexHandler() {
      @Override public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != State.UPGRADED && state != State.CLOSED && msg instanceof HttpObject o
            && o.decoderResult().isFailure()) {
          refuseMalformed(o.decoderResult().cause(), msg);
          return;
        }
        if (state != State.UPGRADED && state != State.CLOSED) {
          if (msg instanceof HttpRequest r && (r.protocolVersion().majorVersion() != 1 || r.protocolVersion().minorVersion() > 1
              || !"HTTP".equals(r.protocolVersion().protocolName()))) {
            refuseMalformed(new IllegalArgumentException(r.protocolVersion() + " is not supported: use HTTP/1.1"),
                msg);
            return;
          }
          if (msg instanceof HttpRequest) {
            unanswered++;
            if (msg instanceof LastHttpContent) {
              requestRead();
            } else {
              state = State.BODY;
              arm(bodyMs, "body_timeout", "the request body did not arrive within " + bodyMs + " ms");
            }
          } else if (msg instanceof LastHttpContent) {
            requestRead();
          }
        }
        ctx.fireChannelRead(msg);
      }

      @Override public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r) {
          responseStarted = true;
          if (r.headers().contains("Connection", "close", true)) closeAfterResponse = true;
        }
        if (msg instanceof LastHttpContent) responseStarted = false;
        if (closeAfterResponse && msg instanceof LastHttpContent) {
          // Vert.x keeps a connection whose request was paused unread open after a "Connection: close" answer (it
          // would wait for the rest of the body): close it once the answer is written.
          promise = promise.unvoid();
          promise.addListener(ChannelFutureListener.CLOSE);
        }
        if (state != State.UPGRADED && state != State.CLOSED) {
          if (msg instanceof HttpResponse r && r.status().code() == 101) {
            state = State.UPGRADED; // a WebSocket: AppApi pings it and closes it when it goes silent
            cancel();
          } else if (msg instanceof LastHttpContent) {
            unanswered = Math.max(0, unanswered - 1);
            if (unanswered == 0 && state == State.ANSWERING) idle(bytesCtx);
          }
        }
        ctx.write(msg, promise);
      }
    };

    /**
     * A request Netty could not parse: answered here with the protocol's error shape and a reason (Vert.x would
     * answer an empty 400), then the connection closes (the decoder discards the rest of the stream anyway).
     */
    private void refuseMalformed(Throwable cause, Object msg) {
      ReferenceCountUtil.release(msg);
      cancel();
      boolean inBody = state == State.BODY;
      state = State.CLOSED;
      String kind = cause == null ? "" : cause.getClass().getSimpleName();
      String why = cause == null || cause.getMessage() == null ? "malformed HTTP request" : cause.getMessage();
      ByteBuf answer;
      if (kind.equals("TooLongHttpLineException") || kind.equals("TooLongFrameException") && why.contains("line")) {
        metrics.badRequest(api, "line_too_long");
        answer = rawError(414, "URI Too Long", "RequestLineTooLong", Names.abbreviate(why));
      } else if (kind.equals("TooLongHttpHeaderException") || why.contains("header") && why.contains("larger")) {
        metrics.badRequest(api, "headers_too_large");
        answer = rawError(431, "Request Header Fields Too Large", "HeadersTooLarge", Names.abbreviate(why));
      } else {
        metrics.badRequest(api, "malformed_http");
        answer = rawError(400, "Bad Request", "BadRequest", "malformed HTTP request: " + Names.abbreviate(why));
      }
      if (unanswered == 0 || inBody && unanswered == 1 && !responseStarted) {
        // nothing of ours on the wire yet (a broken chunk arrives while Vert.x still reads the body it belongs to)
        bytesCtx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
      } else {
        answer.release(); // one of our answers is being written: no room for another on this connection
        bytesCtx.channel().close();
      }
    }

    private void requestRead() {
      if (unanswered == 0) {
        idle(bytesCtx); // answered before its body was read (401, 413): the connection is idle now
      } else {
        state = State.ANSWERING;
        cancel(); // waiting for our answer is not idle time: a call may wait minutes for its publisher
      }
    }

    void idle(ChannelHandlerContext ctx) {
      bytesCtx = ctx;
      state = State.IDLE;
      cancel();
      timer = ctx.executor().schedule(() -> {
        if (state == State.IDLE) {
          metrics.refused(api, "idle_timeout");
          ctx.channel().close();
        }
      }, idleMs, TimeUnit.MILLISECONDS);
    }

    private void arm(long ms, String reason, String message) {
      cancel();
      State armedIn = state;
      timer = bytesCtx.executor().schedule(() -> {
        if (state != armedIn) return;
        metrics.refused(api, reason);
        state = State.CLOSED;
        Channel ch = bytesCtx.channel();
        if (unanswered <= (armedIn == State.BODY ? 1 : 0)) {
          // Nothing of ours is on the wire for this request: answer 408 below the encoder, then close.
          bytesCtx.writeAndFlush(rawError(408, "Request Timeout", "RequestTimeout", message))
              .addListener(ChannelFutureListener.CLOSE);
        } else {
          ch.close();
        }
      }, ms, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
  }
}

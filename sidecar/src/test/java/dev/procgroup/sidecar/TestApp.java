package dev.procgroup.sidecar;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake app process in tests: one Vert.x WebSocket to its sidecar's /v1/connect, answering invokes with a
 * handler and recording every frame it gets.
 */
final class TestApp implements AutoCloseable {

  /** What the handler wants done with an invoke: answer, throw, or stay silent. */
  sealed interface Answer permits Result, Error, Silent {}
  record Result(Object value) implements Answer {}
  record Error(String name, String message, String code) implements Answer {}
  record Silent() implements Answer {}

  private final WebSocket ws;
  /** Held on purpose: Vert.x closes a client (and its WebSockets) once it is garbage collected. */
  private final WebSocketClient client;
  final List<JsonObject> frames = new CopyOnWriteArrayList<>();
  final BlockingQueue<JsonObject> invokes = new LinkedBlockingQueue<>();
  final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  final BlockingQueue<JsonObject> acks = new LinkedBlockingQueue<>();
  private volatile Function<JsonObject, Answer> handler = f -> new Result(new JsonObject().put("echo", f.getValue("args")));

  /** Off for long runs (FuzzIT): invoke frames are answered but not kept, so the test's heap stays flat. */
  private volatile boolean recording = true;

  private TestApp(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(text -> {
      JsonObject f = new JsonObject(text);
      if (recording) frames.add(f);
      switch (f.getString("op")) {
        case "invoke" -> {
          if (recording) invokes.add(f);
          Answer a = handler.apply(f);
          if (a instanceof Result r) {
            ws.writeTextMessage(new JsonObject().put("op", "result").put("id", f.getString("id")).put("result", r.value()).encode());
          } else if (a instanceof Error e) {
            ws.writeTextMessage(new JsonObject().put("op", "error").put("id", f.getString("id")).put("error",
                new JsonObject().put("name", e.name()).put("message", e.message()).put("code", e.code())).encode());
          }
        }
        case "event" -> events.add(f);
        default -> acks.add(f);
      }
    });
  }

  static TestApp connect(Vertx vertx, int hubPort) {
    WebSocketClient client = vertx.createWebSocketClient();
    return new TestApp(client, Await.of(client.connect(hubPort, "127.0.0.1", "/v1/connect")));
  }

  TestApp notRecording() {
    this.recording = false;
    return this;
  }

  TestApp handler(Function<JsonObject, Answer> h) {
    this.handler = h;
    return this;
  }

  void send(String text) {
    Await.of(ws.writeTextMessage(text));
  }

  /** Publishes and waits for the acknowledgement (sent once the peers were told). */
  TestApp publish(String object, String... methods) {
    send(new JsonObject().put("op", "publish").put("object", object).put("methods", new JsonArray(List.of(methods))).encode());
    JsonObject ack = nextAck();
    if (!"published".equals(ack.getString("op")) || !object.equals(ack.getString("object"))) {
      throw new AssertionError("expected published " + object + ", got " + ack);
    }
    return this;
  }

  TestApp unpublish(String object) {
    send(new JsonObject().put("op", "unpublish").put("object", object).encode());
    JsonObject ack = nextAck();
    if (!"unpublished".equals(ack.getString("op"))) throw new AssertionError("expected unpublished, got " + ack);
    return this;
  }

  /** Subscribes and waits for the acknowledgement (the subscription is in force in this pod). */
  TestApp subscribe(String event) {
    send(new JsonObject().put("op", "subscribe").put("event", event).encode());
    JsonObject ack = nextAck();
    if (!"subscribed".equals(ack.getString("op")) || !event.equals(ack.getString("event"))) {
      throw new AssertionError("expected subscribed " + event + ", got " + ack);
    }
    return this;
  }

  /** Publishes methods and data properties (the properties a Pandora proxy reads with getProperty). */
  TestApp publishWithProperties(String object, List<String> methods, List<String> properties) {
    send(new JsonObject().put("op", "publish").put("object", object).put("methods", new JsonArray(methods))
        .put("properties", new JsonArray(properties)).encode());
    JsonObject ack = nextAck();
    if (!"published".equals(ack.getString("op"))) throw new AssertionError("expected published, got " + ack);
    return this;
  }

  JsonObject nextAck() {
    return poll(acks, Duration.ofSeconds(10));
  }

  JsonObject nextInvoke() {
    return poll(invokes, Duration.ofSeconds(10));
  }

  JsonObject nextEvent() {
    return poll(events, Duration.ofSeconds(10));
  }

  static JsonObject poll(BlockingQueue<JsonObject> q, Duration d) {
    try {
      JsonObject f = q.poll(d.toMillis(), TimeUnit.MILLISECONDS);
      if (f == null) throw new AssertionError("no frame within " + d);
      return f;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  boolean isClosed() {
    return ws.isClosed();
  }

  @Override public void close() {
    if (!ws.isClosed()) Await.of(ws.close());
    client.close();
  }
}

package dev.procgroup.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalHubTest {

  private final FakeTimers timers = new FakeTimers();
  private final HubMetrics metrics = new HubMetrics();
  private final LocalHub hub = new LocalHub(timers, metrics);
  private final AtomicInteger announces = new AtomicInteger();
  private RecordingSink sink;
  private PublisherConnection conn;

  @BeforeEach
  void connect() {
    hub.listener(() -> {
      announces.incrementAndGet();
      return Future.succeededFuture();
    });
    sink = new RecordingSink();
    conn = hub.open(sink);
  }

  private void publish(String object, String... methods) {
    hub.onFrame(conn, new JsonObject().put("op", "publish").put("object", object).put("methods", new JsonArray(java.util.List.of(methods))).encode());
  }

  @Test
  void publishIsAcknowledgedAnnouncedAndListed() {
    publish("pageSnapshot", "take", "take", "drop");
    assertThat(sink.last()).isEqualTo(new JsonObject().put("op", "published").put("object", "pageSnapshot"));
    assertThat(announces).hasValue(1);
    assertThat(hub.objectsJson().encode()).isEqualTo("[{\"name\":\"pageSnapshot\",\"methods\":[\"take\",\"drop\"]}]");
    assertThat(metrics.published.get()).isEqualTo(1);
  }

  @Test
  void propertiesArePublishedBesideTheMethodsAndBadOnesRejected() {
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"calc\",\"methods\":[\"add\"],\"properties\":[\"PI\",\"PI\"]}");
    assertThat(hub.objectsJson().encode())
        .isEqualTo("[{\"name\":\"calc\",\"methods\":[\"add\"],\"properties\":[\"PI\"]}]");
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"calc2\",\"methods\":[],\"properties\":\"PI\"}");
    assertThat(sink.last().getString("op")).isEqualTo("rejected");
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"calc3\",\"methods\":[],\"properties\":[\"no.dots\"]}");
    assertThat(sink.last().getString("reason")).startsWith("bad property name in publish");
    assertThat(hub.providersOf("calc2")).isEmpty();
    assertThat(hub.providersOf("calc3")).isEmpty();
  }

  @Test
  void aServiceDeclaredForAnotherProcessIsRefusedAndOneDeclaredForThisProcessPublished() {
    hub.services(DeclaredServices.parse("reports=background,pageSnapshot=web"), "web");
    publish("reports", "run");
    assertThat(sink.last().getString("op")).isEqualTo("rejected");
    assertThat(sink.last().getString("reason"))
        .isEqualTo("service 'reports' is declared for process 'background' (spec.services); process 'web' may not publish it");
    assertThat(hub.providersOf("reports")).isEmpty();
    publish("pageSnapshot", "take");
    assertThat(sink.last().getString("op")).isEqualTo("published");
    publish("undeclared", "m");
    assertThat(sink.last().getString("op")).isEqualTo("published");
  }

  @Test
  void badServiceDeclarationsFailWithAReason() {
    for (String bad : new String[] {"reports", "9bad=web", "reports=Web", "a=web,a=worker"}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeclaredServices.parse(bad))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("PROCGROUP_DECLARED_SERVICES");
    }
    assertThat(DeclaredServices.parse(" ").processByService()).isEmpty();
  }

  @Test
  void subscribeAndUnsubscribeAreAcknowledged() {
    hub.onFrame(conn, "{\"op\":\"subscribe\",\"event\":\"cache.flush\"}");
    assertThat(sink.last()).isEqualTo(new JsonObject().put("op", "subscribed").put("event", "cache.flush"));
    hub.onFrame(conn, "{\"op\":\"unsubscribe\",\"event\":\"cache.flush\"}");
    assertThat(sink.last()).isEqualTo(new JsonObject().put("op", "unsubscribed").put("event", "cache.flush"));
  }

  @Test
  void unpublishWithdrawsTheObject() {
    publish("a", "m");
    hub.onFrame(conn, "{\"op\":\"unpublish\",\"object\":\"a\"}");
    assertThat(sink.last().getString("op")).isEqualTo("unpublished");
    assertThat(hub.providersOf("a")).isEmpty();
    assertThat(announces).hasValue(2);
  }

  @Test
  void malformedFramesAreRejectedAndTheConnectionStays() {
    hub.onFrame(conn, "not json");
    hub.onFrame(conn, "[1,2]");
    hub.onFrame(conn, "{\"object\":\"a\"}");
    hub.onFrame(conn, "{\"op\":\"dance\"}");
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"1bad\",\"methods\":[\"m\"]}");
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"ok\",\"methods\":\"m\"}");
    hub.onFrame(conn, "{\"op\":\"publish\",\"object\":\"ok\",\"methods\":[\"bad-method\"]}");
    hub.onFrame(conn, "{\"op\":\"result\",\"result\":1}");
    hub.onFrame(conn, "{\"op\":\"subscribe\",\"event\":\"\"}");
    assertThat(sink.ofOp("rejected")).hasSize(9);
    assertThat(sink.ofOp("rejected").get(3).getString("reason")).contains("dance");
    assertThat(sink.ofOp("rejected").get(3).getJsonObject("frame")).isEqualTo(new JsonObject().put("op", "dance"));
    assertThat(sink.closed).isFalse();
    publish("ok", "m");
    assertThat(sink.last().getString("op")).isEqualTo("published");
    assertThat(metrics.badRequests.get("ws", "rejected_frame")).isEqualTo(9);
  }

  @Test
  void invokeSendsAFrameAndTheResultCompletesTheCall() {
    publish("a", "m");
    Future<String> call = hub.invoke(conn, "a", "m", Buffer.buffer("[1,{\"x\":2}]"), 1000);
    JsonObject invoke = sink.last();
    assertThat(invoke.getString("op")).isEqualTo("invoke");
    assertThat(invoke.getJsonArray("args")).isEqualTo(new JsonArray().add(1).add(new JsonObject().put("x", 2)));
    assertThat(invoke.getLong("timeoutMs")).isEqualTo(1000);
    hub.onFrame(conn, new JsonObject().put("op", "result").put("id", invoke.getString("id")).put("result", "done").encode());
    assertThat(call.result()).isEqualTo("\"done\""); // the result as JSON text, forwarded undecoded
    assertThat(timers.pending()).isZero();
  }

  @Test
  void anErrorFrameFailsTheCallWithTheRemoteError() {
    publish("a", "m");
    Future<String> call = hub.invoke(conn, "a", "m", Buffer.buffer("[]"), 1000);
    String id = sink.last().getString("id");
    hub.onFrame(conn, "{\"op\":\"error\",\"id\":\"" + id + "\",\"error\":{\"name\":\"TypeError\",\"message\":\"bad url\",\"code\":\"ERR_INVALID_URL\"}}");
    assertThat(call.cause()).isInstanceOfSatisfying(HubError.class, e -> {
      assertThat(e.status).isEqualTo(500);
      assertThat(e.errorJson()).isEqualTo(new JsonObject().put("name", "TypeError").put("message", "bad url")
          .put("code", "ERR_INVALID_URL").put("source", "remote"));
    });
  }

  @Test
  void aCallWithoutAnswerTimesOutAndALateAnswerIsDropped() {
    publish("a", "m");
    Future<String> call = hub.invoke(conn, "a", "m", Buffer.buffer("[]"), 250);
    String id = sink.last().getString("id");
    timers.advance(249);
    assertThat(call.isComplete()).isFalse();
    timers.advance(1);
    assertThat(call.cause()).isInstanceOfSatisfying(HubError.class, e -> assertThat(e.status).isEqualTo(504));
    int framesBefore = sink.frames.size();
    hub.onFrame(conn, "{\"op\":\"result\",\"id\":\"" + id + "\",\"result\":1}");
    assertThat(sink.frames).hasSize(framesBefore);
    assertThat(metrics.lateAnswers.get()).isEqualTo(1);
  }

  @Test
  void closingTheConnectionUnpublishesAndFailsPendingCallsWithProviderGone() {
    publish("a", "m");
    Future<String> call = hub.invoke(conn, "a", "m", Buffer.buffer("[]"), 10_000);
    hub.close(conn);
    assertThat(call.cause()).isInstanceOfSatisfying(HubError.class, e -> {
      assertThat(e.status).isEqualTo(502);
      assertThat(e.name).isEqualTo("ProviderGone");
    });
    assertThat(hub.providersOf("a")).isEmpty();
    assertThat(hub.connectionCount()).isZero();
    assertThat(timers.pending()).isZero();
    assertThat(announces).hasValue(2);
  }

  @Test
  void eventsReachOnlySubscribers() {
    RecordingSink other = new RecordingSink();
    PublisherConnection second = hub.open(other);
    RecordingSink third = new RecordingSink();
    hub.open(third);
    hub.onFrame(conn, "{\"op\":\"subscribe\",\"event\":\"cache.flush\"}");
    hub.onFrame(second, "{\"op\":\"subscribe\",\"event\":\"cache.flush\"}");
    int reached = hub.deliverEvent("cache.flush", "{\"k\":1}", new JsonObject().put("pod", "p").put("process", "web"));
    assertThat(reached).isEqualTo(2);
    assertThat(sink.last()).isEqualTo(new JsonObject().put("op", "event").put("event", "cache.flush")
        .put("data", new JsonObject().put("k", 1)).put("from", new JsonObject().put("pod", "p").put("process", "web")));
    assertThat(other.ofOp("event")).hasSize(1);
    assertThat(third.frames).isEmpty();
    hub.onFrame(second, "{\"op\":\"unsubscribe\",\"event\":\"cache.flush\"}");
    assertThat(hub.deliverEvent("cache.flush", "1", new JsonObject())).isEqualTo(1);
  }
}

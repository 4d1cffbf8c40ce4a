package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unit tests of the client against the in-test {@link StubHub}. */
class HubTest {

    public interface Snapshots {
        Map<String, Object> take(String url, int width);

        CompletableFuture<Map<String, Object>> takeAsync(String url, int width);

        void fail();

        String hang();

        int count();

        default String describe() {
            return "local " + count();
        }
    }

    public interface LooseSnapshots {
        /** Declared as Object: still a blocking call returning the JSON value, not a future. */
        Object count();
    }

    public static class SnapshotImpl {
        final AtomicInteger n = new AtomicInteger();

        public Map<String, Object> take(String url, int width) {
            return Map.of("url", url, "width", width, "n", n.incrementAndGet());
        }

        public CompletableFuture<Map<String, Object>> takeAsync(String url, int width) {
            return CompletableFuture.supplyAsync(() -> take(url, width));
        }

        public void fail() {
            throw new HubException("TypeError", "bad url", "ERR_INVALID_URL");
        }

        public void failPlain() {
            throw new IllegalStateException("plain java");
        }

        public String hang() {
            return new CompletableFuture<String>().join();
        }

        public int count() {
            return n.get();
        }

        public static void notPublished() {}
    }

    static Vertx vertx;
    StubHub stub;
    final List<Hub> hubs = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    @BeforeEach
    void start() throws Exception {
        stub = new StubHub(vertx).start(0);
    }

    @AfterEach
    void stop() throws Exception {
        hubs.forEach(Hub::close);
        stub.close();
    }

    Hub hub() {
        Hub h = Hub.connect(HubOptions.defaults().withUrl(URI.create(stub.url())).withReconnectMax(Duration.ofMillis(200)));
        hubs.add(h);
        return h;
    }

    @Test
    void publishesPublicInstanceMethodsOnly() {
        hub().publishObject("pageSnapshot", new SnapshotImpl());
        assertThat(stub.frames.get(0).getString("op")).isEqualTo("publish");
        assertThat(stub.frames.get(0).getJsonArray("methods").getList())
                .containsExactly("count", "fail", "failPlain", "hang", "take", "takeAsync");
    }

    @Test
    void syncAndAsyncProxyCallsRoundTrip() {
        hub().publishObject("pageSnapshot", new SnapshotImpl());
        Snapshots p = hub().getProxy("pageSnapshot", Snapshots.class);
        assertThat(p.take("http://a", 800)).containsEntry("url", "http://a").containsEntry("width", 800).containsEntry("n", 1);
        assertThat(p.takeAsync("http://b", 2).join()).containsEntry("n", 2);
        assertThat(p.count()).isEqualTo(2);
        assertThat(p.describe()).isEqualTo("local 2"); // default methods run locally
        assertThat(p.toString()).isEqualTo("HubProxy[pageSnapshot]");
        assertThat(hub().invoke("pageSnapshot", "count", Integer.class)).isEqualTo(2);
        assertThat(hub().getProxy("pageSnapshot", LooseSnapshots.class).count()).isEqualTo(2);
    }

    @Test
    void remoteErrorsCarryNameMessageCodeAndSource() {
        hub().publishObject("pageSnapshot", new SnapshotImpl());
        Snapshots p = hub().getProxy("pageSnapshot", Snapshots.class);
        assertThatThrownBy(p::fail).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("TypeError");
            assertThat(e.getMessage()).isEqualTo("bad url");
            assertThat(e.code()).isEqualTo("ERR_INVALID_URL");
            assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
            assertThat(e.status()).isEqualTo(500);
        });
        assertThatThrownBy(() -> hub().invoke("pageSnapshot", "failPlain", Void.class))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.name()).isEqualTo("IllegalStateException");
                    assertThat(e.getMessage()).isEqualTo("plain java");
                    assertThat(e.code()).isNull();
                });
    }

    @Test
    void argumentsAreConvertedAndCheckedPerParameter() {
        hub().publishObject("pageSnapshot", new SnapshotImpl());
        assertThatThrownBy(() -> hub().invoke("pageSnapshot", "take", Map.class, "u"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("TypeError"));
        assertThatThrownBy(() -> hub().invoke("pageSnapshot", "take", Map.class, "u", "not a number"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("TypeError"));
        assertThat(hub().invoke("pageSnapshot", "take", Map.class, "u", "7", "extra")).containsEntry("width", 7);
    }

    public static class Blob {
        public String get(int n) {
            return "x".repeat(n);
        }
    }

    @Test
    void aResultOverTheFrameLimitFailsItsCallAndKeepsTheConnection() {
        Hub pub = Hub.connect(HubOptions.defaults().withUrl(URI.create(stub.url())).withMaxFrameBytes(100_000));
        hubs.add(pub);
        pub.publishObject("blob", new Blob());
        assertThat(hub().invoke("blob", "get", String.class, 90_000)).hasSize(90_000);
        assertThatThrownBy(() -> hub().invoke("blob", "get", String.class, 100_000)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("PayloadTooLarge");
            assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
        });
        assertThat(hub().invoke("blob", "get", String.class, 10)).hasSize(10);
        assertThat(stub.frames.stream().filter(f -> f.getString("op").equals("publish")).count()).isEqualTo(1);
    }

    @Test
    void hubErrorsCarrySourceHubAndStatus() {
        Snapshots p = hub().getProxy("nobody", Snapshots.class);
        assertThatThrownBy(p::count).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("ObjectNotFound");
            assertThat(e.source()).isEqualTo(HubException.Source.HUB);
            assertThat(e.status()).isEqualTo(404);
        });
        CompletableFuture<Map<String, Object>> f = p.takeAsync("u", 1);
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
    }

    @Test
    void timeoutAndProcessAreSentAsHeaders() {
        hub().publishObject("pageSnapshot", new SnapshotImpl());
        Snapshots p = hub().getProxy("pageSnapshot", Snapshots.class,
                CallOptions.defaults().withTimeout(Duration.ofMillis(150)).withProcess("background"));
        long t0 = System.nanoTime();
        assertThatThrownBy(p::hang).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("Timeout");
            assertThat(e.status()).isEqualTo(504);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(stub.lastRequest.getHeader("Procgroup-Timeout-Ms")).isEqualTo("150");
        assertThat(stub.lastRequest.getHeader("Procgroup-Process")).isEqualTo("background");
        assertThatThrownBy(() -> CallOptions.defaults().withTimeout(Duration.ofMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPublisherClosingMidCallFailsItWithProviderGone() {
        Hub publisher = hub();
        publisher.publishObject("pageSnapshot", new SnapshotImpl());
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> hub().getProxy("pageSnapshot", Snapshots.class).hang());
        await().atMost(Duration.ofSeconds(5)).until(() -> stub.pending.size() == 1);
        publisher.close();
        assertThatThrownBy(call::join).cause().isInstanceOfSatisfying(HubException.class,
                e -> assertThat(e.name()).isEqualTo("ProviderGone"));
    }

    @Test
    void duplicateBadAndRejectedPublishes() {
        Hub h = hub();
        h.publishObject("pageSnapshot", new SnapshotImpl());
        assertThatThrownBy(() -> h.publishObject("pageSnapshot", new SnapshotImpl()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("object called pageSnapshot already exist");
        assertThatThrownBy(() -> h.publishObject("bad name", new SnapshotImpl())).isInstanceOf(IllegalArgumentException.class);
        stub.rejectNames.add("refused");
        assertThatThrownBy(() -> h.publishObject("refused", new SnapshotImpl()))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("Rejected"));
        stub.rejectNames.clear();
        h.publishObject("refused", new SnapshotImpl()); // the rejected one was forgotten
        assertThat(stub.providers).containsKey("refused");
    }

    @Test
    void unpublishWithdraws() {
        Hub h = hub();
        h.publishObject("pageSnapshot", new SnapshotImpl());
        h.unpublish("pageSnapshot");
        assertThat(stub.providers).doesNotContainKey("pageSnapshot");
        assertThatThrownBy(() -> h.invoke("pageSnapshot", "count", Integer.class))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
    }

    @Test
    void eventsReachEverySubscriberUntilUnsubscribed() {
        List<String> a = new CopyOnWriteArrayList<>();
        List<HubEvent> b = new CopyOnWriteArrayList<>();
        Subscription sa = hub().subscribe("cache.flush", e -> a.add(e.data(String.class)));
        hub().subscribe("cache.flush", b::add);
        // subscribe is not acknowledged (PROTOCOL-NOTES.md #1): warm up until the stub has both subscriptions.
        await().atMost(Duration.ofSeconds(5)).until(() -> hub().broadcast("cache.flush", "warmup") == 2);
        assertThat(hub().broadcast("cache.flush", "k1")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.contains("k1") && b.stream().anyMatch(e -> e.data().asText().equals("k1")));
        assertThat(a).filteredOn("k1"::equals).hasSize(1);
        HubEvent k1 = b.stream().filter(e -> e.data().asText().equals("k1")).findFirst().orElseThrow();
        assertThat(k1.event()).isEqualTo("cache.flush");
        assertThat(k1.fromPod()).isEqualTo("stub-pod");
        assertThat(k1.fromProcess()).isEqualTo("stub");
        sa.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> hub().broadcast("cache.flush", "k2") == 1);
    }

    @Test
    void badEventNamesThrowBeforeAnythingIsSent() {
        assertThatThrownBy(() -> hub().subscribe("a b", e -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> hub().broadcast("9lives", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(stub.frames).isEmpty();
    }

    @Test
    void contextComesFromTheSidecar() {
        assertThat(hub().context()).isEqualTo(new HubContext("shop", "web", "default", "shop-web-1", "10.0.0.7"));
    }

    @Test
    void publishAndSubscribeGiveUpAfterTheAckTimeoutLeavingNothingBehind() throws Exception {
        int port = stub.port;
        stub.close();
        Hub h = Hub.connect(HubOptions.defaults().withUrl(URI.create(stub.url())).withAckTimeout(Duration.ofMillis(300)));
        hubs.add(h);
        assertThatThrownBy(() -> h.publishObject("pageSnapshot", new SnapshotImpl()))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.code()).isEqualTo("ACK_TIMEOUT"));
        assertThatThrownBy(() -> h.subscribe("e", ev -> {}))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.code()).isEqualTo("ACK_TIMEOUT"));
        stub = new StubHub(vertx).start(port);
        // Nothing left to restore: the client does not re-publish or re-subscribe once the sidecar is back.
        h.publishObject("other", new SnapshotImpl());
        assertThat(stub.frames).extracting(f -> f.getString("op") + " " + f.getString("object"))
                .containsExactly("publish other");
        h.close();
        assertThatThrownBy(() -> h.publishObject("x", new SnapshotImpl()))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("Closed"));
    }

    @Test
    void anUnreachableSidecarFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Hub h = Hub.connect("http://127.0.0.1:" + port);
        hubs.add(h);
        assertThatThrownBy(() -> h.invoke("a", "b", Object.class)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("HubUnavailable");
            assertThat(e.code()).isEqualTo("ECONNREFUSED");
        });
    }

    @Test
    void republishesAndResubscribesAfterASidecarRestart() throws Exception {
        Hub pub = hub();
        Hub sub = hub();
        pub.publishObject("pageSnapshot", new SnapshotImpl());
        List<String> got = new CopyOnWriteArrayList<>();
        sub.subscribe("cache.flush", e -> got.add(e.data(String.class)));
        int port = stub.port;

        stub.close();
        stub = new StubHub(vertx).start(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> stub.providers.containsKey("pageSnapshot")
                && stub.subscribers.getOrDefault("cache.flush", java.util.Set.of()).size() == 1);
        assertThat(hub().getProxy("pageSnapshot", Snapshots.class).take("after", 1)).containsEntry("url", "after");
        assertThat(hub().broadcast("cache.flush", "again")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> got.equals(List.of("again")));
    }
}

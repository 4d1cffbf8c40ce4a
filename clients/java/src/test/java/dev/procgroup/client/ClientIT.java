package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The client's own behaviour against a REAL sidecar (one of a static-peers pair on loopback): publishing, proxies,
 * errors, limits, events, acknowledgements. Calls and publishers share sidecar A unless a test says otherwise.
 */
class ClientIT extends OnTwoSidecars {

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

        public final String label = "snapshots";
    }

    Hub hub() {
        return hub(a);
    }

    @Test
    void publishesPublicInstanceMethodsAndFieldsOnly() {
        String name = unique("pageSnapshot");
        hub().publishObject(name, new SnapshotImpl());
        JsonNode described = hub().describe(name);
        assertThat(described.path("methods")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("count", "fail", "failPlain", "hang", "take", "takeAsync", "$dispatch", "$getProperty");
        assertThat(described.path("properties")).extracting(JsonNode::asText).containsExactly("label");
        assertThat(hub().getConsumer(ObjectDescription.of(name), CallOptions.defaults()).getProperty("label", String.class))
                .isEqualTo("snapshots");
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
        assertThat(hub(b).getProxy("pageSnapshot", LooseSnapshots.class).count()).isEqualTo(2);
    }

    @Test
    void remoteErrorsCarryNameMessageCodeAndSource() {
        String name = unique("errors");
        hub().publishObject(name, new SnapshotImpl());
        Snapshots p = hub(b).getProxy(name, Snapshots.class);
        assertThatThrownBy(p::fail).isInstanceOfSatisfying(HubException.class, OnTwoSidecars::assertBadUrl);
        assertThatThrownBy(() -> hub().invoke(name, "failPlain", Void.class))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.name()).isEqualTo("IllegalStateException");
                    assertThat(e.getMessage()).isEqualTo("plain java");
                    assertThat(e.code()).isNull();
                });
    }

    @Test
    void argumentsAreConvertedAndCheckedPerParameter() {
        String name = unique("args");
        hub().publishObject(name, new SnapshotImpl());
        assertThatThrownBy(() -> hub().invoke(name, "take", Map.class, "u"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("TypeError"));
        assertThatThrownBy(() -> hub().invoke(name, "take", Map.class, "u", "not a number"))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("TypeError"));
        assertThat(hub().invoke(name, "take", Map.class, "u", "7", "extra")).containsEntry("width", 7);
    }

    public static class Blob {
        public String get(int n) {
            return "x".repeat(n);
        }
    }

    @Test
    void aResultOverTheFrameLimitFailsItsCallAndKeepsTheConnection() {
        Hub pub = Hub.connect(HubOptions.defaults().withUrl(URI.create(a.url())).withMaxFrameBytes(100_000));
        hubs.add(pub);
        pub.publishObject("blob", new Blob());
        assertThat(hub().invoke("blob", "get", String.class, 90_000)).hasSize(90_000);
        assertThatThrownBy(() -> hub().invoke("blob", "get", String.class, 100_000)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("PayloadTooLarge");
            assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
        });
        assertThat(hub().invoke("blob", "get", String.class, 10)).hasSize(10);
    }

    @Test
    void getProxyFailsFastWhileALateProxyFailsPerCall() {
        assertThatThrownBy(() -> hub().getProxy("nobody", Snapshots.class)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("ObjectNotFound");
            assertThat(e.source()).isEqualTo(HubException.Source.HUB);
            assertThat(e.status()).isEqualTo(404);
        });
        Snapshots p = hub().lateProxy("nobody", Snapshots.class, CallOptions.defaults());
        assertThatThrownBy(p::count).isInstanceOfSatisfying(HubException.class, e -> assertThat(e.status()).isEqualTo(404));
        CompletableFuture<Map<String, Object>> f = p.takeAsync("u", 1);
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
    }

    @Test
    void timeoutAndProcessPinsReachTheSidecar() {
        String name = unique("slow");
        hub().publishObject(name, new SnapshotImpl());
        Snapshots p = hub(b).getProxy(name, Snapshots.class,
                CallOptions.defaults().withTimeout(Duration.ofMillis(150)).withProcess("background"));
        long t0 = System.nanoTime();
        assertThatThrownBy(p::hang).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("Timeout");
            assertThat(e.status()).isEqualTo(504);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        Snapshots web = hub(b).lateProxy(name, Snapshots.class, CallOptions.defaults().withProcess("web"));
        assertThatThrownBy(web::count).isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
        Snapshots podB = hub(b).lateProxy(name, Snapshots.class, CallOptions.defaults().withPod("pod-b"));
        assertThatThrownBy(podB::count).isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
        assertThat(hub(b).lateProxy(name, Snapshots.class, CallOptions.defaults().withPod("pod-a")).count()).isZero();
        assertThatThrownBy(() -> CallOptions.defaults().withTimeout(Duration.ofMinutes(11)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    public static class Hanging {
        final java.util.concurrent.CountDownLatch invoked = new java.util.concurrent.CountDownLatch(1);

        public String hang() {
            invoked.countDown();
            return new CompletableFuture<String>().join();
        }
    }

    @Test
    void aPublisherClosingMidCallFailsItWithProviderGone() throws Exception {
        String name = unique("closing");
        Hub publisher = hub();
        Hanging impl = new Hanging();
        publisher.publishObject(name, impl);
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> hub(b).invoke(name, "hang", String.class));
        assertThat(impl.invoked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        publisher.close();
        assertThatThrownBy(call::join).cause().isInstanceOfSatisfying(HubException.class,
                e -> assertThat(e.name()).isEqualTo("ProviderGone"));
    }

    @Test
    void duplicateAndBadPublishes() {
        Hub h = hub();
        String name = unique("dup");
        h.publishObject(name, new SnapshotImpl());
        assertThatThrownBy(() -> h.publishObject(name, new SnapshotImpl()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("object called " + name + " already exist");
        assertThatThrownBy(() -> h.publishObject("bad name", new SnapshotImpl())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unpublishWithdrawsFromTheGroup() {
        Hub h = hub();
        String name = unique("withdrawn");
        h.publishObject(name, new SnapshotImpl());
        h.unpublish(name);
        assertThatThrownBy(() -> hub(b).invoke(name, "count", Integer.class))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
    }

    @Test
    void eventsReachEverySubscriberFromTheAcknowledgementOnUntilUnsubscribed() {
        String event = unique("cache.flush");
        List<String> onA = new CopyOnWriteArrayList<>();
        List<HubEvent> onB = new CopyOnWriteArrayList<>();
        Subscription sa = hub().subscribe(event, e -> onA.add(e.data(String.class)));
        hub(b).subscribe(event, onB::add);
        // subscribe returns once the sidecar acknowledged it: no warm-up broadcast is needed.
        assertThat(hub(b).broadcast(event, "k1")).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> onA.contains("k1") && onB.size() == 1);
        assertThat(onB.get(0).event()).isEqualTo(event);
        assertThat(onB.get(0).fromPod()).isEqualTo("pod-b");
        assertThat(onB.get(0).fromProcess()).isEqualTo("web");
        sa.close();
        assertThat(hub(b).broadcast(event, "k2")).isEqualTo(1);
    }

    @Test
    void contextComesFromTheSidecar() {
        assertThat(hub().context()).isEqualTo(new HubContext("itest", "background", "default", "pod-a", "127.0.0.1"));
    }

    @Test
    void publishAndSubscribeGiveUpAfterTheAckTimeoutLeavingNothingBehind() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Hub h = Hub.connect(HubOptions.defaults().withUrl(URI.create("http://127.0.0.1:" + port)).withAckTimeout(Duration.ofMillis(300)));
        hubs.add(h);
        assertThatThrownBy(() -> h.publishObject("pageSnapshot", new SnapshotImpl()))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.code()).isEqualTo("ACK_TIMEOUT"));
        assertThatThrownBy(() -> h.subscribe("e", ev -> {}))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.code()).isEqualTo("ACK_TIMEOUT"));
        assertThat(h.publisher.objects).isEmpty();
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
}

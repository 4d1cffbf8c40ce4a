package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.procgroup.client.Sidecars.Sidecar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Acceptance tests: the Java client, and Java with Node, against two REAL sidecars on loopback (static peers,
 * one token). Publishers sit behind sidecar A, callers behind sidecar B, so every call crosses the peer API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubIT extends OnTwoSidecars {

    /** What a Java caller sees of the Node fixture (clients/node/test/fixtures/publisher.js). */
    public interface Calc {
        int add(int a, int b);

        CompletableFuture<String> greet(String who);

        void fail();

        String hang();
    }

    /** A Java-published object. */
    public interface Inventory {
        int reserve(String sku, int qty);

        CompletableFuture<List<String>> skus();
    }

    public static class InventoryImpl {
        public int reserve(String sku, int qty) {
            if (qty <= 0) {
                throw new HubException("RangeError", "qty must be positive", "ERR_QTY");
            }
            return qty * 10;
        }

        public CompletableFuture<List<String>> skus() {
            return CompletableFuture.completedFuture(List.of("a-1", "b-2"));
        }
    }

    final List<Process> children = new ArrayList<>();
    final ObjectMapper mapper = new ObjectMapper();

    @AfterAll
    void stopChildren() {
        children.forEach(Process::destroyForcibly);
    }

    void visible(Sidecar s, String name, boolean yes) {
        Hub h = hub(s);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<String> names = new ArrayList<>();
            h.objects().forEach(o -> names.add(o.path("name").asText()));
            return names.contains(name) == yes;
        });
    }

    Process nodePublisher(StringBuffer out, String... nameAndEvent) throws Exception {
        Process p = Sidecars.node(a, out, "publisher.js", nameAndEvent);
        children.add(p);
        await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("published") || !p.isAlive());
        assertThat(out.toString()).as("node publisher output").contains("published");
        return p;
    }

    JsonNode nodeCall(Sidecar via, String object, String method, String argsJson) throws Exception {
        StringBuffer out = new StringBuffer();
        Process p = Sidecars.node(via, out, "call.js", object, method, argsJson);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Sidecars.awaitOutput(p); // the drain thread has read everything the process wrote
        String[] lines = out.toString().trim().split("\n");
        return mapper.readTree(lines[lines.length - 1]);
    }

    @Test
    @Order(1)
    void javaPublisherCalledFromJavaAcrossSidecars() {
        hub(a).publishObject("inventory", new InventoryImpl());
        // PROTOCOL.md: once acknowledged, "the object is now visible to the group": no waiting here.
        Inventory inv = hub(b).getProxy("inventory", Inventory.class);
        assertThat(inv.reserve("a-1", 3)).isEqualTo(30);
        assertThat(inv.skus().join()).containsExactly("a-1", "b-2");
        assertThatThrownBy(() -> inv.reserve("a-1", 0)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("RangeError");
            assertThat(e.getMessage()).isEqualTo("qty must be positive");
            assertThat(e.code()).isEqualTo("ERR_QTY");
            assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
        });
    }

    public interface Echo {
        CompletableFuture<Map<String, Integer>> back(int i);
    }

    public static class EchoImpl {
        public CompletableFuture<Map<String, Integer>> back(int i) {
            // Answers come back out of order.
            return CompletableFuture.supplyAsync(() -> Map.of("i", i, "sq", i * i),
                    CompletableFuture.delayedExecutor(i % 7 * 3L, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    @Order(2)
    void concurrentAsyncCallsEachGetTheirOwnAnswer() {
        hub(a).publishObject("echoJ", new EchoImpl());
        Echo echo = hub(b).getProxy("echoJ", Echo.class);
        List<CompletableFuture<Map<String, Integer>>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(echo.back(i));
        }
        for (int i = 0; i < 200; i++) {
            assertThat(calls.get(i).join()).isEqualTo(Map.of("i", i, "sq", i * i));
        }
    }

    @Test
    @Order(2)
    void javaPublisherCalledFromNode() throws Exception {
        visible(b, "inventory", true);
        assertThat(nodeCall(b, "inventory", "reserve", "[\"b-2\", 4]")).isEqualTo(mapper.readTree("{\"result\": 40}"));
        JsonNode err = nodeCall(b, "inventory", "reserve", "[\"b-2\", -1]").path("error");
        assertThat(err.path("name").asText()).isEqualTo("RangeError");
        assertThat(err.path("message").asText()).isEqualTo("qty must be positive");
        assertThat(err.path("code").asText()).isEqualTo("ERR_QTY");
        assertThat(err.path("source").asText()).isEqualTo("remote");
    }

    @Test
    @Order(3)
    void nodePublisherCalledFromJava() throws Exception {
        nodePublisher(new StringBuffer(), "nodeCalc");
        visible(b, "nodeCalc", true);
        Calc calc = hub(b).getProxy("nodeCalc", Calc.class);
        assertThat(calc.add(2, 40)).isEqualTo(42);
        assertThat(calc.greet("java").get(10, TimeUnit.SECONDS)).isEqualTo("hello java from node");
        assertThatThrownBy(calc::fail).isInstanceOfSatisfying(HubException.class, OnTwoSidecars::assertBadUrl);
    }

    @Test
    @Order(4)
    void timeoutFromJava() {
        Calc calc = hub(b).getProxy("nodeCalc", Calc.class, CallOptions.defaults().withTimeout(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        assertThatThrownBy(calc::hang).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("Timeout");
            assertThat(e.source()).isEqualTo(HubException.Source.HUB);
            assertThat(e.status()).isEqualTo(504);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
    }

    @Test
    @Order(5)
    void killedNodePublisherFailsAJavaCallFastWithProviderGone() throws Exception {
        StringBuffer pubOut = new StringBuffer();
        Process pub = nodePublisher(pubOut, "lossyCalc");
        visible(b, "lossyCalc", true);
        Calc calc = hub(b).getProxy("lossyCalc", Calc.class, CallOptions.defaults().withTimeout(Duration.ofSeconds(20)));
        long t0 = System.nanoTime();
        CompletableFuture<String> call = CompletableFuture.supplyAsync(calc::hang);
        await().atMost(Duration.ofSeconds(10)).until(() -> pubOut.toString().contains("hang invoked")); // pending there
        pub.destroyForcibly();
        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("ProviderGone");
            assertThat(e.status()).isEqualTo(502);
        });
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        visible(b, "lossyCalc", false); // and its objects left the group with it
    }

    @Test
    @Order(6)
    void eventsFromJavaReachJavaAndNodeSubscribersInBothPods() throws Exception {
        StringBuffer nodeOut = new StringBuffer();
        nodePublisher(nodeOut, "eventCalc", "ping"); // also subscribes to "ping" and prints what it gets
        List<HubEvent> javaA = new CopyOnWriteArrayList<>();
        List<HubEvent> javaB = new CopyOnWriteArrayList<>();
        hub(a).subscribe("ping", javaA::add);
        hub(b).subscribe("ping", javaB::add);
        Hub sender = hub(b);
        // Subscribe is not acknowledged by the protocol: wait until the group reaches all three.
        await().atMost(Duration.ofSeconds(15)).until(() -> sender.broadcast("ping", Map.of("warmup", true)) == 3);
        assertThat(sender.broadcast("ping", Map.of("n", 7))).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> seven(javaA).size() == 1 && seven(javaB).size() == 1
                && nodeOut.toString().contains("event {\"n\":7}"));
        assertThat(seven(javaA).get(0).fromPod()).isEqualTo("pod-b");
        assertThat(seven(javaB).get(0).fromProcess()).isEqualTo("web");
    }

    private static List<HubEvent> seven(List<HubEvent> events) {
        return events.stream().filter(e -> e.data().path("n").asInt() == 7).toList();
    }

    public static class Blob {
        public String get(int n) {
            return "x".repeat(n);
        }
    }

    @Test
    @Order(7)
    void aResultOverTheSidecarLimitFailsOnlyThatCall() {
        Hub pub = hub(a);
        pub.publishObject("blobJ", new Blob());
        Hub caller = hub(b);
        assertThatThrownBy(() -> caller.invoke("blobJ", "get", String.class, 2 << 20)).isInstanceOfSatisfying(HubException.class, e -> {
            assertThat(e.name()).isEqualTo("PayloadTooLarge");
            assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
        });
        // Had the sidecar dropped the connection, the object would be gone until the reconnect (>= 100 ms later).
        assertThat(caller.invoke("blobJ", "get", String.class, 1000)).hasSize(1000);
    }

    @Test
    @Order(7)
    void aJavaSelectorClientReachesANodeListenerAndItsAnswerComesBack() throws Exception {
        StringBuffer out = new StringBuffer();
        Process p = Sidecars.node(a, out, "listener.js", "ping");
        children.add(p);
        await().atMost(Duration.ofSeconds(15)).until(() -> out.toString().contains("listening") || !p.isAlive());
        SelectorClient.Reply reply = hub(b).getHubClient().invoke(SelectorClient.Selector.any().withProcessName("background"),
                "ping", Map.of("from", "java"), null);
        assertThat(reply.success()).isTrue();
        assertThat(reply.host().clientId()).isEqualTo("pod-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("ping {\"from\":\"java\"}"));
        p.destroyForcibly();
    }

    @Test
    @Order(8)
    void contextFromTheRealSidecar() {
        HubContext c = hub(a).context();
        assertThat(c.group()).isEqualTo("itest");
        assertThat(c.process()).isEqualTo("background");
        assertThat(c.pod()).isEqualTo("pod-a");
    }

    @Test
    @Order(100) // last: restarts sidecar A
    void republishesAndResubscribesAfterTheSidecarRestarts() throws Exception {
        Hub pub = hub(a);
        pub.publishObject("survivorJ", new InventoryImpl());
        List<HubEvent> got = new CopyOnWriteArrayList<>();
        pub.subscribe("afterRestart", got::add);
        a.kill();
        a.start();
        Inventory inv = hub(b).getProxy("survivorJ", Inventory.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> inv.reserve("x", 1) == 10);
        Hub sender = hub(b);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> sender.broadcast("afterRestart", "hello") >= 1 && !got.isEmpty());
        assertThat(got.get(0).data().asText()).isEqualTo("hello");
    }
}

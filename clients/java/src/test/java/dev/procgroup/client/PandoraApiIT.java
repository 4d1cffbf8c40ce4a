package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.procgroup.client.SelectorClient.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The Java twin of Pandora's hub API (the Node client's test/integration/pandora-api.test.js) against two REAL
 * sidecars: "pod-a" (process background) and "pod-b" (process web).
 */
class PandoraApiIT extends OnTwoSidecars {

    public interface Calculator {
        int add(int x, int y);
    }

    public interface Wider extends Calculator {
        int multiply(int x, int y);
    }

    public static class CalculatorImpl {
        public final double PI = 3.14;

        public int add(int x, int y) {
            return x + y;
        }
    }

    /** A host with Pandora's object-event contract. */
    public static class Ticker implements ObjectEvents {
        final Map<String, ObjectEvents.Callback> callbacks = new ConcurrentHashMap<>();
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void subscribe(String register, ObjectEvents.Callback callback) {
            log.add("subscribe " + register);
            callbacks.put(register, callback);
        }

        @Override
        public void unsubscribe(String register, ObjectEvents.Callback callback) {
            log.add("unsubscribe " + register + " " + (callbacks.get(register) == callback));
            callbacks.remove(register);
        }

        public String name() {
            return "ticker";
        }
    }

    @Test
    void publishWithATagAndAnIntrospectedProxyThatFailsFast() {
        String name = unique("calc");
        hub(a).publish(new CalculatorImpl(), ObjectDescription.of(name, "v1"));
        Calculator calc = hub(b).getProxy(ObjectDescription.of(name, "v1"), Calculator.class, CallOptions.defaults());
        assertThat(calc.add(2, 3)).isEqualTo(5);
        assertThatThrownBy(() -> hub(b).getProxy(ObjectDescription.of(name, "v1"), Wider.class, CallOptions.defaults()))
                .isInstanceOfSatisfying(HubException.class, e -> {
                    assertThat(e.name()).isEqualTo("MethodNotFound");
                    assertThat(e.getMessage()).contains("[multiply]");
                });
        assertThatThrownBy(() -> hub(b).getProxy(name, Calculator.class))
                .as("an untagged proxy never reaches a tagged object")
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
        hub(a).publishObject(name, new CalculatorImpl());
        ObjectConsumer fallback = hub(b).getConsumer(ObjectDescription.of(name, "v9"), CallOptions.defaults());
        assertThat(fallback.getProxy(Calculator.class).add(1, 1)).isEqualTo(2);
        assertThat(fallback.target()).as("a tag falls back to the untagged object").isEqualTo(name);
    }

    @Test
    void aConsumerInvokesReadsPropertiesAndIntrospects() {
        String name = unique("calc");
        hub(a).publishObject(name, new CalculatorImpl());
        ObjectConsumer c = hub(b).getConsumer(ObjectDescription.of(name), CallOptions.defaults().withTimeout(Duration.ofSeconds(5)));
        assertThat(c.invoke("add", Integer.class, 40, 2)).isEqualTo(42);
        assertThat(c.getProperty("PI", Double.class)).isEqualTo(3.14);
        assertThat(c.getProperty("add", Object.class)).as("a method is no property").isNull();
        Introspection i = c.introspect();
        assertThat(i.methods()).containsExactly("add");
        assertThat(i.properties()).containsExactly("PI");
        assertThat(i.events()).isFalse();
        assertThat(i.providers().get(0).path("pod").asText()).isEqualTo("pod-a");
    }

    @Test
    void objectEventsReachConsumersInBothPodsAndTheHostUnsubscribesWithItsCallback() {
        String name = unique("ticker");
        Ticker ticker = new Ticker();
        hub(a).publishObject(name, ticker);
        List<List<JsonNode>> onB = new CopyOnWriteArrayList<>();
        List<List<JsonNode>> onA = new CopyOnWriteArrayList<>();
        ObjectConsumer remote = hub(b).getConsumer(ObjectDescription.of(name), CallOptions.defaults());
        ObjectConsumer sameSide = hub(a).getConsumer(ObjectDescription.of(name), CallOptions.defaults());
        assertThat(remote.introspect().events()).isTrue();
        Subscription sb = remote.subscribe("tick", onB::add);
        sameSide.subscribe("tick", onA::add);
        assertThat(ticker.log).containsExactly("subscribe tick");

        assertThat(ticker.callbacks.get("tick").emit(1, "one").join()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> onA.size() == 1 && onB.size() == 1);
        assertThat(onB.get(0)).extracting(JsonNode::asText).containsExactly("1", "one");

        sb.close();
        assertThat(ticker.log).containsExactly("subscribe tick");
        sameSide.unsubscribe("tick");
        assertThat(ticker.log).containsExactly("subscribe tick", "unsubscribe tick true");
    }

    @Test
    void selectorClientActionsReachTheSelectedProcesses() {
        Hub listenerHub = hub(a);
        List<SelectorClient.Message> got = new CopyOnWriteArrayList<>();
        listenerHub.getHubClient().on("refresh", got::add);
        SelectorClient caller = hub(b).getHubClient();
        SelectorClient.Reply reply = caller.invoke(Selector.any().withProcessName("background"), "refresh", Map.of("k", 1), null);
        assertThat(reply.success()).isTrue();
        assertThat(reply.host()).isEqualTo(new SelectorClient.Location("itest", "background", "pod-a"));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).data().path("k").asInt()).isEqualTo(1);
        assertThat(got.get(0).host()).isEqualTo(new SelectorClient.Location("itest", "web", "pod-b"));

        caller.send(Selector.any().withClientId("pod-a"), "refresh", "fire and forget");
        await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
        assertThat(caller.invoke(Selector.any().withProcessName("background"), "echo", 42, null).data().path("echo").path("data").asInt())
                .isEqualTo(42);
        assertThatThrownBy(() -> caller.invoke(Selector.any(), "", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(caller.invoke(Selector.any().withAppName("another-group"), "refresh", null, null).success()).isFalse();
        listenerHub.close(); // its process leaves the group's clients
    }

    @Test
    void multipleInvokeAnswersForEveryProcessFailuresIncluded() {
        String name = unique("sides");
        hub(a).publishObject(name, new Object() {
            public String side() {
                throw new HubException("RangeError", "a says no", null);
            }
        });
        hub(b).publishObject(name, new Object() {
            public String side() {
                return "b";
            }
        });
        SelectorClient c = hub(b).getHubClient();
        List<SelectorClient.Reply> replies = c.multipleInvoke(Selector.object(name), "ping", null, null);
        assertThat(replies).extracting(r -> r.host().clientId()).containsExactlyInAnyOrder("pod-a", "pod-b");
        assertThat(replies).allMatch(SelectorClient.Reply::success);
        List<Hub.ProviderReply> all = Transport.join(hub(b).invokeAll(name, "side", CallOptions.defaults()));
        assertThat(all).extracting(r -> r.pod() + ":" + (r.error() == null ? r.result().asText() : r.error().name()))
                .containsExactlyInAnyOrder("pod-a:RangeError", "pod-b:b");
        assertThat(c.multipleInvoke(Selector.object("noSuchObject"), "echo", null, null)).isEmpty();
        assertThat(c.invoke(Selector.object("noSuchObject"), "echo", null, null).error().name()).isEqualTo("ObjectNotFound");
    }

    @Test
    void unpublishBySelectorWithdrawsOnlyTheMatchingObjects() {
        Hub h = hub(a);
        String temp = unique("temp");
        String keep = unique("keep");
        h.publish(new CalculatorImpl(), ObjectDescription.of(temp, "t1"));
        h.publishObject(keep, new CalculatorImpl());
        assertThat(h.getHubClient().unpublish(Selector.object(temp).withObject(temp, "t1"))).containsExactly(temp + ".t1");
        assertThatThrownBy(() -> hub(b).getProxy(ObjectDescription.of(temp, "t1"), Calculator.class, CallOptions.defaults()))
                .isInstanceOfSatisfying(HubException.class, e -> assertThat(e.name()).isEqualTo("ObjectNotFound"));
        assertThat(hub(b).getProxy(keep, Calculator.class).add(1, 2)).isEqualTo(3);
    }
}

package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The client's side of the conformance suite: its rules are the shared ones and it refuses what they refuse. */
class ConformanceTest {

    @Test
    void everyRuleAcceptsAndRefusesTheSharedCases() {
        JsonNode names = Conformance.cases("names");
        Map<String, Pattern> rules = Map.of("object", Rules.OBJECT, "method", Rules.METHOD, "event", Rules.EVENT,
                "process", Rules.name("process"), "pod", Rules.name("pod"), "traceparent", Rules.name("traceparent"));
        rules.forEach((kind, rule) -> {
            names.path(kind).path("valid").forEach(s -> assertThat(rule.matcher(s.asText()).matches()).as("%s %s", kind, s).isTrue());
            names.path(kind).path("invalid").forEach(s -> assertThat(rule.matcher(s.asText()).matches()).as("%s %s", kind, s).isFalse());
        });
    }

    @Test
    void publishAndEventsRefuseTheInvalidNamesWithoutContactingASidecar() {
        JsonNode names = Conformance.cases("names");
        try (Hub hub = Hub.connect("http://127.0.0.1:1")) { // nothing listens there: a request would fail differently
            names.path("object").path("invalid").forEach(n -> assertThatThrownBy(() -> hub.publishObject(n.asText(), new Object()))
                    .as(n.toString()).isInstanceOf(IllegalArgumentException.class));
            names.path("event").path("invalid").forEach(n -> {
                assertThatThrownBy(() -> hub.subscribe(n.asText(), e -> { })).as(n.toString()).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> hub.broadcast(n.asText(), 1)).as(n.toString()).isInstanceOf(IllegalArgumentException.class);
            });
        }
    }

    @Test
    void theLimitsComeFromTheSharedRules() {
        assertThat(CallOptions.HUB_DEFAULT_TIMEOUT.toMillis()).isEqualTo(Conformance.rules().path("limits").path("defaultTimeoutMs").asLong());
        assertThat(HubOptions.defaults().maxFrameBytes()).isEqualTo(Rules.MAX_BODY_BYTES);
    }
}

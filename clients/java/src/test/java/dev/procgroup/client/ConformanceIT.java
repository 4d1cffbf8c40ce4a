package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shared HTTP and WebSocket cases (clients/conformance/cases) against a REAL sidecar, as the sidecar's and Node's tests run them. */
class ConformanceIT extends OnTwoSidecars {

    static final String OBJECT = "conformanceEcho";

    public static class Echo {
        public Object echo(Object x) {
            return x;
        }
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeAll
    void publish() {
        hub(a).publishObject(OBJECT, new Echo());
    }

    @Test
    void everyHttpCaseGetsItsStatusAndError() throws Exception {
        for (JsonNode c : Conformance.cases("http").path("cases")) {
            String body = c.has("bodyBytes") ? "[\"" + "x".repeat(c.path("bodyBytes").asInt()) + "\"]" : c.path("body").asText(null);
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(a.url() + c.path("path").asText().replace("{object}", OBJECT)))
                    .method(c.path("method").asText(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            c.path("headers").fields().forEachRemaining(h -> req.header(h.getKey(), h.getValue().asText()));
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            String name = c.path("name").asText();
            assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(c.path("status").asInt());
            if (c.has("error")) {
                JsonNode error = mapper.readTree(r.body()).path("error");
                assertThat(error.path("name").asText()).as(name).isEqualTo(c.path("error").asText());
                assertThat(error.path("message").asText()).as(name).isNotBlank();
                assertThat(error.path("source").asText()).as(name).isEqualTo("hub");
            }
        }
    }

    @Test
    void everyFrameGetsItsAnswerInOrderOnAnOpenConnection() throws Exception {
        LinkedBlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(b.url().replace("http", "ws") + "/v1/connect"),
                new WebSocket.Listener() {
                    final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            try {
                                answers.add(mapper.readTree(text.toString()));
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        try {
            for (JsonNode step : Conformance.cases("frames").path("steps")) {
                ws.sendText(step.path("send").asText(), true).get(10, TimeUnit.SECONDS);
                JsonNode answer = answers.poll(10, TimeUnit.SECONDS);
                assertThat(answer).as("an answer to " + step.path("send")).isNotNull();
                assertThat(answer.path("op").asText()).as(step.path("send").asText()).isEqualTo(step.path("expect").asText());
                if (step.has("reason")) {
                    assertThat(answer.path("reason").asText()).contains(step.path("reason").asText());
                }
            }
            assertThat(ws.isOutputClosed() || ws.isInputClosed()).isFalse();
        } finally {
            ws.abort();
        }
    }
}

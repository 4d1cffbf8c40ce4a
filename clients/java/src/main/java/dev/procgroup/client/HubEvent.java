package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One broadcast event as a subscriber sees it. */
public final class HubEvent {
    private final String event;
    private final JsonNode data;
    private final String fromPod;
    private final String fromProcess;
    private final ObjectMapper mapper;

    HubEvent(String event, JsonNode data, String fromPod, String fromProcess, ObjectMapper mapper) {
        this.event = event;
        this.data = data;
        this.fromPod = fromPod;
        this.fromProcess = fromProcess;
        this.mapper = mapper;
    }

    public String event() { return event; }

    /** The data as sent ({@code null} JSON is a NullNode, never Java null). */
    public JsonNode data() { return data; }

    public <T> T data(Class<T> type) { return mapper.convertValue(data, type); }

    /** The sender's pod, or null if the hub did not say. */
    public String fromPod() { return fromPod; }

    public String fromProcess() { return fromProcess; }

    @Override
    public String toString() { return event + " from " + fromPod + "/" + fromProcess + ": " + data; }
}

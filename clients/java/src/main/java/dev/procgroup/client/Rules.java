package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.regex.Pattern;

/**
 * The protocol's name rules, limits and Pandora mapping as written once in {@code clients/conformance/rules.json}
 * (copied onto the classpath by the build), shared with the sidecar and the Node client.
 */
final class Rules {
    private static final JsonNode RULES = load();

    static final Pattern OBJECT = name("object");
    static final Pattern METHOD = name("method");
    static final Pattern EVENT = name("event");
    static final long DEFAULT_TIMEOUT_MS = RULES.path("limits").path("defaultTimeoutMs").asLong();
    static final long MAX_TIMEOUT_MS = RULES.path("limits").path("maxTimeoutMs").asLong();
    static final int MAX_BODY_BYTES = RULES.path("limits").path("maxBodyBytes").asInt();
    static final String TAG_SEPARATOR = pandora("tagSeparator");
    static final String CLIENT_OBJECT = pandora("clientObject");
    static final String DISPATCH = pandora("dispatchMethod");
    static final String GET_PROPERTY = pandora("getPropertyMethod");
    static final String SUBSCRIBE = pandora("subscribeMethod");
    static final String UNSUBSCRIBE = pandora("unsubscribeMethod");
    static final String OBJECT_EVENT_SUFFIX = pandora("objectEventSuffix");

    private Rules() {}

    static Pattern name(String kind) {
        String p = RULES.path("names").path(kind).asText(null);
        if (p == null) {
            throw new IllegalStateException("rules.json has no name rule '" + kind + "'");
        }
        return Pattern.compile(p);
    }

    static void require(Pattern rule, String kind, String value) {
        if (value == null || !rule.matcher(value).matches()) {
            throw new IllegalArgumentException("invalid " + kind + " name '" + value + "' (hub " + kind + " names match " + rule + ")");
        }
    }

    /** The reserved methods the client serves on every object (Pandora's getProperty, object events, actions). */
    static boolean reserved(String method) {
        return method.equals(DISPATCH) || method.equals(GET_PROPERTY) || method.equals(SUBSCRIBE) || method.equals(UNSUBSCRIBE);
    }

    private static String pandora(String key) {
        return RULES.path("pandora").path(key).asText();
    }

    private static JsonNode load() {
        try (InputStream in = Rules.class.getResourceAsStream("/dev/procgroup/conformance/rules.json")) {
            if (in == null) {
                throw new IllegalStateException("dev/procgroup/conformance/rules.json is not on the classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.procgroup.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Pandora's Introspection of a published object, names only (the hub carries no arity).
 *
 * @param events the object implements subscribe/unsubscribe (object events)
 * @param providers the sidecar's providers array: pod, process, local, ready
 */
public record Introspection(List<String> methods, List<String> properties, boolean events, JsonNode providers) {

    static Introspection of(JsonNode object) {
        List<String> methods = strings(object.path("methods"));
        return new Introspection(methods.stream().filter(m -> !Rules.reserved(m)).toList(),
                strings(object.path("properties")), methods.contains(Rules.SUBSCRIBE), object.path("providers"));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}

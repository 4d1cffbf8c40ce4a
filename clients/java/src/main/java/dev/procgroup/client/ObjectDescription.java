package dev.procgroup.client;

/**
 * Pandora's ObjectDescription: an object's name and optional tag. A tagged object is the hub object
 * {@code name.tag} (':' is not a hub name character), so {@code a.b} and {@code (a, b)} are the same object.
 */
public record ObjectDescription(String name, String tag) {

    public static ObjectDescription of(String name) {
        return new ObjectDescription(name, null);
    }

    public static ObjectDescription of(String name, String tag) {
        return new ObjectDescription(name, tag);
    }

    /** The hub object's name. */
    public String id() {
        return tag == null || tag.isEmpty() ? name : name + Rules.TAG_SEPARATOR + tag;
    }
}

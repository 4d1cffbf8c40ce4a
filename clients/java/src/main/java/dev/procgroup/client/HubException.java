package dev.procgroup.client;

/**
 * A failed hub call. {@link #name()} is the remote exception's name when the published method threw
 * ({@link Source#REMOTE}), or the hub's own ("Timeout", "ProviderGone", "ObjectNotFound", ...) when the hub
 * could not complete the call ({@link Source#HUB}). A published Java method may throw one itself to choose
 * the name and code its callers see.
 */
public class HubException extends RuntimeException {

    /** Who failed: the published method, or the hub on the way. */
    public enum Source { REMOTE, HUB }

    private final String name;
    private final String code;
    private final Source source;
    private final int status;

    public HubException(String name, String message, String code, Source source, int status) {
        super(message);
        this.name = name == null ? "Error" : name;
        this.code = code;
        this.source = source;
        this.status = status;
    }

    /** For published methods: fail with this name and code (source is set by the hub). */
    public HubException(String name, String message, String code) {
        this(name, message, code, Source.REMOTE, 0);
    }

    static HubException hub(String name, String message, String code) {
        return new HubException(name, message, code, Source.HUB, 0);
    }

    static HubException hub(String name, String message, String code, int status) {
        return new HubException(name, message, code, Source.HUB, status);
    }

    /** The protocol's error shape ({@code {name, message, code, source}}) as an exception. */
    static HubException of(com.fasterxml.jackson.databind.JsonNode e, int status) {
        Source source = "remote".equals(e.path("source").asText()) ? Source.REMOTE : Source.HUB;
        return new HubException(e.path("name").asText("Error"), e.path("message").asText(""),
                e.hasNonNull("code") ? e.get("code").asText() : null, source, status);
    }

    public String name() { return name; }

    /** May be null. */
    public String code() { return code; }

    public Source source() { return source; }

    /** The HTTP status the sidecar answered, 0 when the call never got an answer. */
    public int status() { return status; }

    @Override
    public String toString() {
        return name + (code == null ? "" : " [" + code + "]") + " (" + source.name().toLowerCase() + "): " + getMessage();
    }
}

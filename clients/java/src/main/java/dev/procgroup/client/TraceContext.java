package dev.procgroup.client;

import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * A W3C trace context (https://www.w3.org/TR/trace-context/) as hub calls carry it. A published method runs with the
 * context of its invoke frame {@link #current() current} on its thread (the provider sidecar's span, or the caller's
 * context when the sidecar exports no spans); every call made on a thread with a current context sends it on.
 *
 * <p>No OpenTelemetry dependency: the fields map one to one onto OpenTelemetry's {@code SpanContext}, e.g.
 * {@code SpanContext.createFromRemoteParent(c.traceId(), c.spanId(), TraceFlags.fromHex(c.flags(), 0),
 * TraceState.getDefault())} to parent a span on it, and {@code TraceContext.parse(W3C traceparent of your span,
 * tracestate)} (or the W3CTraceContextPropagator's output) to hand your span on with {@link #makeCurrent()}.
 *
 * @param traceparent {@code 00-<trace id>-<parent span id>-<flags>}, lowercase hex
 * @param tracestate vendors' entries, or null
 */
public record TraceContext(String traceparent, String tracestate) {

    private static final Pattern TRACEPARENT = Rules.name("traceparent");
    private static final ThreadLocal<TraceContext> CURRENT = new ThreadLocal<>();

    public TraceContext {
        if (traceparent == null || !TRACEPARENT.matcher(traceparent).matches()) {
            throw new IllegalArgumentException("not a W3C traceparent (version 00): " + traceparent);
        }
    }

    public static TraceContext parse(String traceparent, String tracestate) {
        return new TraceContext(traceparent, tracestate);
    }

    /** The context current on this thread, or null. */
    public static TraceContext current() {
        return CURRENT.get();
    }

    /** 32 lowercase hex digits. */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** The span the context names as parent of what comes next: 16 lowercase hex digits. */
    public String spanId() {
        return traceparent.substring(36, 52);
    }

    /** The trace flags, 2 hex digits ({@code 01}: sampled). */
    public String flags() {
        return traceparent.substring(53, 55);
    }

    public boolean sampled() {
        return (Character.digit(traceparent.charAt(54), 16) & 1) == 1;
    }

    /** Makes this context current on this thread until the scope closes (then the previous one is again). */
    public Scope makeCurrent() {
        return swap(this);
    }

    /** Runs {@code task} with {@code context} current (null: none). */
    public static <T> T callWith(TraceContext context, Callable<T> task) throws Exception {
        try (Scope ignored = swap(context)) {
            return task.call();
        }
    }

    static Scope swap(TraceContext context) {
        TraceContext previous = CURRENT.get();
        CURRENT.set(context);
        return () -> CURRENT.set(previous);
    }

    /** What {@link #makeCurrent()} returns: closing restores the previous context (try-with-resources). */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}

package dev.procgroup.client;

import java.time.Duration;

/**
 * Per-proxy call options (Pandora's {@code getProxy(name, {timeout})}, plus the process pin).
 *
 * @param timeout per-call timeout, null for the hub's default (30 s); at most 600 s
 * @param process only call providers of this process name, or null for any
 */
public record CallOptions(Duration timeout, String process) {

    static final Duration HUB_DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("timeout must be in (0, 600s], got " + timeout);
        }
    }

    public static CallOptions defaults() { return new CallOptions(null, null); }

    public CallOptions withTimeout(Duration t) { return new CallOptions(t, process); }

    public CallOptions withProcess(String p) { return new CallOptions(timeout, p); }

    Duration effectiveTimeout() { return timeout == null ? HUB_DEFAULT_TIMEOUT : timeout; }
}

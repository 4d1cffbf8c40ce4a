package dev.procgroup.client;

import java.time.Duration;

/**
 * Per-proxy call options (Pandora's {@code getProxy(name, {timeout})}, plus the pins).
 *
 * @param timeout per-call timeout, null for the hub's default (30 s); at most 600 s
 * @param process only call providers of this process name, or null for any
 * @param pod only call providers in this pod, or null for any
 */
public record CallOptions(Duration timeout, String process, String pod) {

    static final Duration HUB_DEFAULT_TIMEOUT = Duration.ofMillis(Rules.DEFAULT_TIMEOUT_MS);
    static final Duration MAX_TIMEOUT = Duration.ofMillis(Rules.MAX_TIMEOUT_MS);

    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("timeout must be in (0, " + MAX_TIMEOUT.toSeconds() + "s], got " + timeout);
        }
    }

    public static CallOptions defaults() { return new CallOptions(null, null, null); }

    public CallOptions withTimeout(Duration t) { return new CallOptions(t, process, pod); }

    public CallOptions withProcess(String p) { return new CallOptions(timeout, p, pod); }

    public CallOptions withPod(String p) { return new CallOptions(timeout, process, p); }

    Duration effectiveTimeout() { return timeout == null ? HUB_DEFAULT_TIMEOUT : timeout; }
}

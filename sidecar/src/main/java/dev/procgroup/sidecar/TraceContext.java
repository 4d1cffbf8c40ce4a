package dev.procgroup.sidecar;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C trace context (traceparent + tracestate) as one call carries it: from the caller's headers, on the peer
 * request, in the provider's invoke frame. Validated where it enters (app and peer API): a malformed header is a
 * 400 BadRequest like every other bad header (SECURITY.md "Trace context"), never guessed at or half forwarded.
 *
 * @param parentId the span id of the caller's span (the traceparent's parent-id field)
 * @param tracestate null when absent; otherwise forwarded as received (vendors' entries are opaque to the hub)
 */
record TraceContext(String traceId, String parentId, String flags, String tracestate) {

  static final String TRACEPARENT = "traceparent";
  static final String TRACESTATE = "tracestate";
  /** W3C Trace Context level 2: the answer names the span the callee made for the call. */
  static final String TRACERESPONSE = "traceresponse";
  private static final Pattern TRACEPARENT_RULE = Rules.name("traceparent");
  private static final Pattern TRACESTATE_MEMBER = Rules.name("tracestateMember");
  static final int MAX_TRACESTATE_BYTES = (int) Rules.limit("maxTracestateBytes");
  static final int MAX_TRACESTATE_MEMBERS = (int) Rules.limit("maxTracestateMembers");

  /** The context of the headers; null when there is no traceparent (a tracestate alone is meaningless, dropped). */
  static TraceContext fromHeaders(String traceparent, String tracestate) {
    if (traceparent == null) return null;
    if (!TRACEPARENT_RULE.matcher(traceparent).matches()) {
      throw HubError.badRequest("bad traceparent header (W3C version 00, lowercase hex, ids not all zero): "
          + Names.abbreviate(traceparent));
    }
    return new TraceContext(traceparent.substring(3, 35), traceparent.substring(36, 52), traceparent.substring(53, 55),
        validTracestate(tracestate));
  }

  /** At most {@link #MAX_TRACESTATE_BYTES} and {@link #MAX_TRACESTATE_MEMBERS} W3C list-members; null stays null. */
  static String validTracestate(String tracestate) {
    if (tracestate == null) return null;
    if (tracestate.length() > MAX_TRACESTATE_BYTES) {
      throw HubError.badRequest("tracestate is over " + MAX_TRACESTATE_BYTES + " characters");
    }
    int members = 0;
    for (String member : tracestate.split(",", -1)) {
      String m = member.strip();
      if (m.isEmpty()) continue; // W3C allows empty list-members
      if (++members > MAX_TRACESTATE_MEMBERS || !TRACESTATE_MEMBER.matcher(m).matches()) {
        throw HubError.badRequest("bad tracestate header (at most " + MAX_TRACESTATE_MEMBERS
            + " key=value list-members): " + Names.abbreviate(tracestate));
      }
    }
    return tracestate;
  }

  boolean sampled() {
    return (Character.digit(flags.charAt(1), 16) & 1) == 1;
  }

  String traceparent() {
    return "00-" + traceId + "-" + parentId + "-" + flags;
  }

  /** The context a span of this trace hands on: same trace, the span as parent, the caller's flags and state. */
  TraceContext child(String spanId) {
    return new TraceContext(traceId, spanId, flags, tracestate);
  }

  /** A new sampled trace, for a call whose caller sent no context. */
  static TraceContext root(String spanId) {
    return new TraceContext(randomHex(16), spanId, "01", null);
  }

  static String randomSpanId() {
    return randomHex(8);
  }

  private static String randomHex(int bytes) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(bytes * 2);
    while (sb.length() < bytes * 2) {
      long v = r.nextLong();
      if (v == 0) continue; // never an all-zero id
      String hex = Long.toHexString(v);
      sb.append("0".repeat(16 - hex.length())).append(hex);
    }
    return sb.substring(0, bytes * 2);
  }
}

package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The trace context through two REAL sidecars (span export off, so each hop hands on what it received): a published
 * method runs with its caller's context current, and a call it makes carries it on. The sidecar's ITs and the Node
 * tests check the spans with export on.
 */
class TraceContextIT extends OnTwoSidecars {

    static final String TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public interface Traced {
        String where();
    }

    public interface Outer {
        String via();
    }

    /** Records the context current in each call. */
    public static class InnerImpl {
        final List<TraceContext> seen;

        InnerImpl(List<TraceContext> seen) {
            this.seen = seen;
        }

        public String where() {
            seen.add(TraceContext.current());
            return "inner";
        }
    }

    /** Records its context and calls the inner object. */
    public static class OuterImpl {
        final List<TraceContext> seen;
        final Traced inner;

        OuterImpl(List<TraceContext> seen, Traced inner) {
            this.seen = seen;
            this.inner = inner;
        }

        public String via() {
            seen.add(TraceContext.current());
            return inner.where();
        }
    }

    @Test
    void aPublishedMethodRunsWithTheCallersContextCurrentAndItsOwnCallsCarryItOn() throws Exception {
        List<TraceContext> seen = new CopyOnWriteArrayList<>();
        String inner = unique("tracedInner");
        String outer = unique("tracedOuter");
        hub(b).publishObject(inner, new InnerImpl(seen));
        Traced innerProxy = hub(a).getProxy(inner, Traced.class);
        hub(a).publishObject(outer, new OuterImpl(seen, innerProxy));
        Outer proxy = hub(b).getProxy(outer, Outer.class);

        TraceContext ctx = TraceContext.parse(TP, "congo=t61rcWkgMzE");
        try (TraceContext.Scope ignored = ctx.makeCurrent()) {
            assertThat(proxy.via()).isEqualTo("inner");
        }
        assertThat(seen).containsExactly(ctx, ctx);
        assertThat(TraceContext.current()).as("the scope restored the thread's previous context").isNull();

        seen.clear();
        assertThat(proxy.via()).isEqualTo("inner");
        assertThat(seen).as("no context on the caller's thread: none in the methods").containsExactly(null, null);
    }

    @Test
    void theFieldsAreWhatOpenTelemetrysSpanContextTakes() {
        TraceContext c = TraceContext.parse(TP, null);
        assertThat(c.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(c.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(c.flags()).isEqualTo("01");
        assertThat(c.sampled()).isTrue();
        assertThatThrownBy(() -> TraceContext.parse("00-XYZ-01", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMalformedTracestateIsTheSidecarsBadRequest() throws Exception {
        String name = unique("tracedBad");
        hub(b).publishObject(name, new InnerImpl(new CopyOnWriteArrayList<>()));
        Traced proxy = hub(a).getProxy(name, Traced.class);
        try (TraceContext.Scope ignored = TraceContext.parse(TP, "NOT VALID").makeCurrent()) {
            assertThatThrownBy(proxy::where).isInstanceOfSatisfying(HubException.class, e -> {
                assertThat(e.name()).isEqualTo("BadRequest");
                assertThat(e.status()).isEqualTo(400);
            });
        }
    }
}

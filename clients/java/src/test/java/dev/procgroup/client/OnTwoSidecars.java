package dev.procgroup.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A test class on two REAL sidecars of group "itest" (Sidecars.pair): A ("pod-a", process background) and B ("pod-b",
 * web), shared by its tests, with the hubs it opened closed at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class OnTwoSidecars {

    private static final AtomicInteger SEQ = new AtomicInteger();

    Sidecars.Sidecar a;
    Sidecars.Sidecar b;
    final List<Hub> hubs = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startSidecars() throws Exception {
        Sidecars.Sidecar[] p = Sidecars.pair();
        a = p[0];
        b = p[1];
    }

    @AfterAll
    void stopSidecars() throws Exception {
        hubs.forEach(Hub::close);
        a.kill();
        b.kill();
    }

    Hub hub(Sidecars.Sidecar s) {
        Hub h = Hub.connect(HubOptions.defaults().withUrl(URI.create(s.url())).withReconnectMax(Duration.ofMillis(200)));
        hubs.add(h);
        return h;
    }

    /** A fresh object name per test: the sidecars are shared by the whole class. */
    static String unique(String base) {
        return base + SEQ.incrementAndGet();
    }

    /** The remote error the test objects' {@code fail()} throws, as the caller must see it. */
    static void assertBadUrl(HubException e) {
        assertThat(e.name()).isEqualTo("TypeError");
        assertThat(e.getMessage()).isEqualTo("bad url");
        assertThat(e.code()).isEqualTo("ERR_INVALID_URL");
        assertThat(e.source()).isEqualTo(HubException.Source.REMOTE);
        assertThat(e.status()).isEqualTo(500);
    }
}

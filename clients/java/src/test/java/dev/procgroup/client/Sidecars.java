package dev.procgroup.client;

import dev.procgroup.testing.TestPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Real sidecars (sidecar/target/procgroup-sidecar.jar) on loopback in static-peers mode, and Node processes
 * using clients/node, for the integration tests. Mirrors clients/node/test/integration/sidecars.js.
 */
final class Sidecars {
    static final Path SIDECAR = Path.of(System.getProperty("procgroup.sidecar.dir", "../../sidecar"));
    static final Path JAR = SIDECAR.resolve("target/procgroup-sidecar.jar");
    static final Path NODE_CLIENT = Path.of(System.getProperty("procgroup.node.client", "../node"));

    /** One sidecar process; its ports survive a restart. */
    static final class Sidecar {
        final String pod;
        final String process;
        final int hubPort = TestPorts.free();
        final int peerPort = TestPorts.free();
        final int metricsPort = TestPorts.free();
        final List<Sidecar> peers = new ArrayList<>();
        final StringBuffer log = new StringBuffer();
        Process proc;

        Sidecar(String pod, String process) {
            this.pod = pod;
            this.process = process;
        }

        String url() {
            return "http://127.0.0.1:" + hubPort;
        }

        Sidecar start() throws Exception {
            if (!Files.exists(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build the sidecar first (mvn -pl sidecar package -DskipTests)");
            }
            // run.sh execs java with the production JVM flags, so the process is the JVM itself.
            ProcessBuilder pb = new ProcessBuilder("bash", SIDECAR.resolve("run.sh").toString()).redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("PROCGROUP_GROUP", "itest");
            env.put("PROCGROUP_PROCESS", process);
            env.put("PROCGROUP_NAMESPACE", "default");
            env.put("PROCGROUP_POD_NAME", pod);
            env.put("PROCGROUP_POD_IP", "127.0.0.1");
            env.put("PROCGROUP_HUB_TOKEN", "itest-token");
            env.put("PROCGROUP_HUB_PORT", Integer.toString(hubPort));
            env.put("PROCGROUP_PEER_PORT", Integer.toString(peerPort));
            env.put("PROCGROUP_PEER_HOST", "127.0.0.1");
            env.put("PROCGROUP_METRICS_PORT", Integer.toString(metricsPort));
            env.put("PROCGROUP_METRICS_HOST", "127.0.0.1");
            env.put("PROCGROUP_APP_METRICS", "off");
            env.put("PROCGROUP_STATIC_PEERS", peers.stream().map(p -> p.pod + "=127.0.0.1:" + p.peerPort).collect(Collectors.joining(",")));
            proc = pb.start();
            drain(proc.getInputStream(), log);
            HttpClient http = HttpClient.newHttpClient();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                if (!proc.isAlive()) {
                    throw new IllegalStateException("sidecar " + pod + " exited " + proc.exitValue() + ":\n" + log);
                }
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/v1/context")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return this;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("sidecar " + pod + " did not come up in 30 s:\n" + log);
        }

        /** Waits until this sidecar takes calls to every one of its peers (it probes each until it answers). */
        void awaitPeers() throws Exception {
            String want = "procgroup_hub_peers{state=\"ready\"} " + peers.size();
            HttpClient http = HttpClient.newHttpClient();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                try {
                    String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    if (text.lines().anyMatch(l -> l.trim().equals(want))) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not answering yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("sidecar " + pod + " does not reach its peers within 30 s:\n" + log);
        }

        /** SIGKILL, as a crashed container. */
        void kill() throws InterruptedException {
            if (proc != null && proc.isAlive()) {
                proc.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Two sidecars of group "itest" that know each other: A ("pod-a", process background), B ("pod-b", web). */
    static Sidecar[] pair() throws Exception {
        Sidecar a = new Sidecar("pod-a", "background");
        Sidecar b = new Sidecar("pod-b", "web");
        a.peers.add(b);
        b.peers.add(a);
        a.start();
        b.start();
        a.awaitPeers();
        b.awaitPeers();
        return new Sidecar[] {a, b};
    }

    /** A Node process running a fixture of clients/node/test/fixtures against {@code sidecar}. */
    static Process node(Sidecar sidecar, StringBuffer out, String fixture, String... args) throws IOException, InterruptedException {
        ensureNodeModules();
        List<String> cmd = new ArrayList<>(List.of("node", NODE_CLIENT.resolve("test/fixtures/" + fixture).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PROCGROUP_HUB_URL", sidecar.url());
        Process p = pb.start();
        DRAINS.put(p, drain(p.getInputStream(), out));
        return p;
    }

    private static synchronized void ensureNodeModules() throws IOException, InterruptedException {
        if (Files.exists(NODE_CLIENT.resolve("node_modules/ws"))) {
            return;
        }
        Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(NODE_CLIENT.toFile()).inheritIO().start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("npm ci in " + NODE_CLIENT + " timed out after 5 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + NODE_CLIENT + " failed");
        }
    }

    private static final java.util.Map<Process, Thread> DRAINS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Waits (at most 10 s) until the output of an ended process has been read to its end. */
    static void awaitOutput(Process p) throws InterruptedException {
        Thread t = DRAINS.remove(p);
        if (t == null) return;
        t.join(10_000);
        if (t.isAlive()) throw new AssertionError("the output of " + p.info().command().orElse("a process") + " did not end");
    }

    private static Thread drain(InputStream in, StringBuffer into) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Sidecars() {}
}

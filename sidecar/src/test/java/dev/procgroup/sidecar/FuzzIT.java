package dev.procgroup.sidecar;

import dev.procgroup.testing.TestPorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded fuzz run against both ports of two real sidecars on loopback (seeded, fixed counts, a deadline): malformed
 * HTTP, malformed WebSocket frames, malformed JSON, huge headers and slow clients, while a caller makes well-formed
 * calls across the two pods all along. Every malformed input must get a 4xx with a reason (or, for WebSocket frames, a
 * {@code rejected} frame or a close), none may hang, every well-formed call must succeed, the connections must drain
 * and the heap must come back. Figures go to stdout ({@code [measure] ...}) and {@code target/fuzz-figures.txt}.
 */
class FuzzIT {

  static final String TOKEN = "fuzz-token";
  static final long SEED = 20261202L;
  /** Short read timeouts so that the slow clients are cut within the run; the other limits are the defaults. */
  static final Limits LIMITS = Limits.defaults().withReadTimeouts(1000, 1500);
  static final long ANSWER_MS = 4000;
  /** The same number of inputs twice: what the first round left on the heap, the second must not add to. */
  static final int ROUNDS = 2;

  static Vertx vertx = Vertx.vertx();
  static Http http = new Http(vertx);
  static Sidecar a;
  static Sidecar b;
  static TestApp publisherB;
  static TestApp publisherA;

  /** Per category: inputs tried, answered with 4xx + reason, cut (closed / 408), and any that hung. */
  static final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  static final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() {
    int peerA = TestPorts.free(), peerB = TestPorts.free();
    a = Await.of(new Sidecar(config("a", "web", peerA, peerB, "b")).start());
    b = Await.of(new Sidecar(config("b", "background", peerB, peerA, "a")).start());
    publisherB = TestApp.connect(vertx, b.hubPort()).publish("echo", "say").notRecording();
    publisherA = TestApp.connect(vertx, a.hubPort()).publish("near", "say").notRecording();
    await().atMost(Duration.ofSeconds(10)).until(() -> http.get(a.hubPort(), "/v1/objects").body().contains("echo"));
  }

  static SidecarConfig config(String pod, String process, int peerPort, int otherPeerPort, String other) {
    return SidecarConfig.builder().group("fuzz").process(process).podName(pod).hubToken(TOKEN).hubPort(0)
        .peerHost("127.0.0.1").peerPort(peerPort).metricsHost("127.0.0.1").metricsPort(0).appMetrics("off")
        .staticPeers(List.of(new SidecarConfig.StaticPeer(other, "127.0.0.1:" + otherPeerPort))).limits(LIMITS).build();
  }

  @AfterAll
  static void stop() {
    publisherA.close();
    publisherB.close();
    Await.of(a.stop());
    Await.of(b.stop());
    Await.of(vertx.close());
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void malformedInputsOnBothPortsGet4xxWhileWellFormedCallsKeepBeingServed() throws Exception {
    Random random = new Random(SEED);
    long heapBefore = heapAfterGc();
    long rssBefore = rssBytes();
    long start = System.nanoTime();

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong served = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread caller = new Thread(() -> {
      int i = 0;
      while (running.get()) {
        Http.Resp r;
        switch (i++ % 3) {
          case 0 -> r = http.invoke(a.hubPort(), "echo", "say", "[" + i + ",\"x\"]", Map.of()); // across pods
          case 1 -> r = http.invoke(b.hubPort(), "near", "say", "[" + i + "]", Map.of()); // b -> a
          default -> r = http.send(HttpMethod.GET, b.peerPort(), "/peer/v1/objects", null,
              Map.of("Authorization", "Bearer " + TOKEN)); // the peer port itself
        }
        if (r.status() == 200) {
          served.incrementAndGet();
        } else {
          failed.incrementAndGet();
          if (failures.size() < 10) failures.add(r.status() + " " + r.body());
        }
      }
    }, "well-formed-caller");
    caller.start();

    ExecutorService pool = Executors.newFixedThreadPool(8);
    long heapAfterRound1 = 0;
    try {
     for (int round = 1; round <= ROUNDS; round++) {
      int[] ports = {a.hubPort(), b.peerPort()};
      String[] portNames = {"app", "peer"};
      for (int p = 0; p < 2; p++) {
        int port = ports[p];
        String name = portNames[p];
        run(pool, "http-curated-" + name, curatedHttp(), port, Expect.REFUSED);
        run(pool, "http-garbage-" + name, garbage(random, 150), port, Expect.REFUSED);
        run(pool, "http-mutated-" + name, mutated(random, 150, name.equals("peer")), port, Expect.ANY_ANSWER);
        run(pool, "headers-huge-" + name, hugeHeaders(random, 20), port, Expect.REFUSED);
        run(pool, "json-curated-" + name, malformedJson(random, 0, name.equals("peer")), port, Expect.REFUSED);
        // random bodies from JSON's alphabet: now and then one is valid JSON; none may hang
        run(pool, "json-random-" + name, malformedJson(random, 100, name.equals("peer")).subList(17, 100), port,
            Expect.ANY_ANSWER);
        slowClients(name, port, 40);
      }
      webSocketFrames(pool, random, 120);
      run(pool, "websocket-on-peer-port", List.of(() -> wsHandshake().getBytes(StandardCharsets.ISO_8859_1)),
          b.peerPort(), Expect.REFUSED);
      if (round == 1) heapAfterRound1 = heapAfterGc();
     }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      running.set(false);
      caller.join(30_000);
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    // The ports drained: what may remain are keep-alive connections of legitimate clients, idle in their pools: on
    // a's app port publisherA and the caller's pool (Vert.x: 5 per host); on b's peer port a's pool to b (at most
    // peerPoolPerPeer) and the caller's.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(a.appConnections()).as("open connections on a's app port").isLessThanOrEqualTo(1 + 5);
      assertThat(b.peerConnections()).as("open connections on b's peer port")
          .isLessThanOrEqualTo(LIMITS.peerPoolPerPeer() + 5);
    });
    long heapAfter = heapAfterGc();
    if (Boolean.getBoolean("fuzz.histo")) { // -Dfuzz.histo=true: what is on the heap, when the bound fails
      Process pr = new ProcessBuilder("jcmd", Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      String out = new String(pr.getInputStream().readAllBytes());
      out.lines().limit(30).forEach(l -> System.out.println("HISTO " + l));
    }
    long rssAfter = rssBytes();
    long inputs = counts.entrySet().stream().filter(e -> e.getKey().endsWith(".tried"))
        .mapToLong(e -> e.getValue().get()).sum();

    StringBuilder figures = new StringBuilder();
    figures.append(String.format("[measure] fuzz seed=%d inputs=%d seconds=%.1f served-well-formed=%d failed-well-formed=%d%n",
        SEED, inputs, seconds, served.get(), failed.get()));
    figures.append(String.format("[measure] fuzz memory heap-after-gc before=%.1fMiB after-round-1=%.1fMiB "
        + "after-round-2=%.1fMiB rss before=%.1fMiB after=%.1fMiB (one test JVM: both sidecars and the fuzzing "
        + "clients)%n", mib(heapBefore), mib(heapAfterRound1), mib(heapAfter), mib(rssBefore), mib(rssAfter)));
    figures.append(String.format("[measure] fuzz connections after: app(a)=%d peer(b)=%d%n", a.appConnections(),
        b.peerConnections()));
    new java.util.TreeMap<>(counts).forEach((k, v) -> figures.append("[measure] fuzz ").append(k).append('=')
        .append(v.get()).append('\n'));
    System.out.print(figures);
    Path out = Path.of("target", "fuzz-figures.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, figures.toString());

    assertThat(problems).as("inputs that hung or got no reason").isEmpty();
    assertThat(failures).as("well-formed calls that failed").isEmpty();
    assertThat(served.get()).as("well-formed calls served during the run").isGreaterThan(100);
    assertThat(inputs).isGreaterThan(2000);
    assertThat(heapAfter - heapBefore).as("heap growth after GC").isLessThan(32L << 20);
    assertThat(heapAfter - heapAfterRound1).as("heap growth of the second round").isLessThan(8L << 20);
    // still serving afterwards
    assertThat(http.invoke(a.hubPort(), "echo", "say", "[1]", Map.of()).status()).isEqualTo(200);
  }

  // ---- the inputs ---------------------------------------------------------------------------------------------

  static List<Supplier<byte[]>> curatedHttp() {
    List<String> list = List.of(
        "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET\r\n\r\n",
        "FOO BAR BAZ QUX\r\n\r\n",
        "GET /v1/context HTTP/1.1\r\nHost x\r\n\r\n",
        "GET /v1/context HTTP/1.1\r\nHost: x\r\nBad\u0000Header: y\r\n\r\n",
        "GET /v1/context HTTP/1.1\r\n Folded: y\r\n\r\n",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "zz\r\n[]\r\n0\r\n\r\n",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "ffffffffffffffffff\r\n[]\r\n0\r\n\r\n",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, x\r\n\r\n0\r\n\r\n",
        "GET /v1/invoke/%zz/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /v1/invoke/a/b/c/d HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "DELETE /v1/objects HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nProcgroup-Timeout-Ms: -1\r\nContent-Length: 2\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nProcgroup-Timeout-Ms: 99999999999999999999\r\n"
            + "Content-Length: 2\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nProcgroup-Process: NOT_A_DNS_LABEL\r\n"
            + "Content-Length: 2\r\n\r\n[]",
        "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n",
        "POST /peer/v1/announce HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\nContent-Length: 2\r\n\r\n{}",
        "POST /peer/v1/announce HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Zm9vOmJhcg==\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n1000000\r\n",
        "GET /v1/connect HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Version: 99\r\n\r\n",
        "GET /v1/nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "\r\n\r\n\r\n\r\nGET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n");
    List<Supplier<byte[]>> out = new ArrayList<>();
    for (String s : list) out.add(() -> s.getBytes(StandardCharsets.ISO_8859_1));
    return out;
  }

  static List<Supplier<byte[]>> garbage(Random random, int n) {
    List<Supplier<byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[1 + random.nextInt(2000)];
      random.nextBytes(b);
      byte[] withEnd = java.util.Arrays.copyOf(b, b.length + 4);
      System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), 0, withEnd, b.length, 4);
      out.add(() -> withEnd);
    }
    return out;
  }

  /** A valid invoke with a few bytes flipped: anything may come back but a hang (or, on the peer port, a crash). */
  static List<Supplier<byte[]>> mutated(Random random, int n, boolean peer) {
    String valid = (peer ? "POST /peer/v1/announce HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\n"
        : "POST /v1/invoke/echo/say HTTP/1.1\r\nHost: x\r\n") + "Content-Type: application/json\r\n"
        + "Content-Length: 38\r\n\r\n" + (peer ? "{\"pod\":\"z\",\"objects\":[],\"revision\":1}" + " "
        : "[\"https://example.internal/\", {\"w\":1}]");
    List<Supplier<byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = valid.getBytes(StandardCharsets.ISO_8859_1);
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      out.add(() -> b);
    }
    return out;
  }

  static List<Supplier<byte[]>> hugeHeaders(Random random, int n) {
    List<Supplier<byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = i % 4;
      StringBuilder sb = new StringBuilder("GET /v1/context HTTP/1.1\r\nHost: x\r\n");
      switch (kind) {
        case 0 -> sb.append("X-Big: ").append("v".repeat(20_000 + random.nextInt(40_000))).append("\r\n");
        case 1 -> {
          for (int h = 0; h < 2000; h++) sb.append("X-H").append(h).append(": ").append("y".repeat(20)).append("\r\n");
        }
        case 2 -> sb.append("Cookie: ").append("c=".repeat(30_000)).append("\r\n");
        default -> sb.append("X-").append("n".repeat(20_000)).append(": 1\r\n");
      }
      sb.append("\r\n");
      byte[] b = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
      out.add(() -> b);
    }
    return out;
  }

  static List<Supplier<byte[]>> malformedJson(Random random, int n, boolean peer) {
    // 17 curated bodies, never valid JSON; then random ones up to n
    List<String> bodies = new ArrayList<>(List.of("[", "{", "[1,", "{\"a\":", "nul", "[1]]", "{\"a\" 1}", "'x'",
        "[" + "[".repeat(5000), "{\"a\":" + "{\"a\":".repeat(3000), "[\"\\uZZZZ\"]",
        "\"unterminated", "[1,2,3,]", "{,}", "[NaN]", "[0x10]", "\u00ff\u00fe[]"));
    while (bodies.size() < n) {
      StringBuilder sb = new StringBuilder();
      String alphabet = "[]{}:,\"\\0123456789.eE+-truefalsnul ";
      int len = 1 + random.nextInt(200);
      for (int i = 0; i < len; i++) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
      bodies.add(sb.toString());
    }
    List<Supplier<byte[]>> out = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      String body = bodies.get(i);
      byte[] bb = body.getBytes(StandardCharsets.ISO_8859_1);
      String path = peer ? (i % 2 == 0 ? "/peer/v1/announce" : "/peer/v1/events/fuzz")
          : (i % 2 == 0 ? "/v1/invoke/echo/say" : "/v1/events/fuzz");
      String head = "POST " + path + " HTTP/1.1\r\nHost: x\r\n" + (peer ? "Authorization: Bearer " + TOKEN + "\r\n" : "")
          + "Content-Length: " + bb.length + "\r\n\r\n";
      byte[] req = (head + body).getBytes(StandardCharsets.ISO_8859_1);
      out.add(() -> req);
    }
    return out;
  }

  static String wsHandshake() {
    return "GET /v1/connect HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  /** A client frame: FIN/RSV/opcode byte, then the (masked unless {@code mask} is false) payload. */
  static byte[] frame(int first, byte[] payload, boolean mask, long declaredLength) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(first);
    long len = declaredLength >= 0 ? declaredLength : payload.length;
    int m = mask ? 0x80 : 0;
    if (len < 126) {
      out.write(m | (int) len);
    } else if (len < 65536) {
      out.write(m | 126);
      out.write((int) (len >> 8));
      out.write((int) len);
    } else {
      out.write(m | 127);
      for (int i = 7; i >= 0; i--) out.write((int) (len >> (8 * i)));
    }
    byte[] key = {1, 2, 3, 4};
    if (mask) out.write(key, 0, 4);
    for (int i = 0; i < payload.length; i++) out.write(mask ? payload[i] ^ key[i % 4] : payload[i]);
    return out.toByteArray();
  }

  static void webSocketFrames(ExecutorService pool, Random random, int n) throws Exception {
    List<byte[]> frames = new ArrayList<>();
    byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};
    frames.add(frame(0x81, "not json".getBytes(), true, -1));
    frames.add(frame(0x81, "[1,2]".getBytes(), true, -1));
    frames.add(frame(0x81, "{\"op\":\"publish\",\"object\":\"../x\",\"methods\":[1]}".getBytes(), true, -1));
    frames.add(frame(0x81, "{\"op\":\"result\",\"id\":{},\"result\":1}".getBytes(), true, -1));
    frames.add(frame(0x81, "{\"op\":\"nope\"}".getBytes(), true, -1));
    frames.add(frame(0x81, ("[" .repeat(5000)).getBytes(), true, -1));
    frames.add(frame(0x82, new byte[] {1, 2, 3}, true, -1)); // binary
    frames.add(frame(0x81, bad, true, -1)); // invalid UTF-8
    frames.add(frame(0xF1, "x".getBytes(), true, -1)); // reserved bits
    frames.add(frame(0x83, "x".getBytes(), true, -1)); // reserved opcode
    frames.add(frame(0x81, "{}".getBytes(), false, -1)); // unmasked client frame
    frames.add(frame(0x89, new byte[200], true, -1)); // control frame over 125 bytes
    frames.add(frame(0x09, "p".getBytes(), true, -1)); // fragmented control frame
    frames.add(frame(0x80, "x".getBytes(), true, -1)); // continuation without a start
    frames.add(frame(0x81, new byte[0], true, 1L << 62)); // absurd length
    frames.add(frame(0x81, new byte[0], true, 2L << 20)); // over the message limit
    frames.add(frame(0x88, new byte[] {0x03, (byte) 0xE7}, true, -1)); // close with an invalid code (999)
    while (frames.size() < n) {
      byte[] payload = new byte[random.nextInt(300)];
      random.nextBytes(payload);
      frames.add(frame(random.nextInt(256), payload, random.nextInt(8) != 0, -1));
    }
    List<Future<?>> done = new ArrayList<>();
    for (byte[] f : frames) {
      done.add(pool.submit(() -> {
        count("websocket.tried");
        try (Raw raw = new Raw(a.hubPort())) {
          raw.send(wsHandshake());
          Raw.Answer hs = raw.answer(ANSWER_MS);
          if (hs.status() != 101) {
            problems.add("websocket handshake: " + hs.status());
            return;
          }
          raw.send(f);
          // an answer: a rejected frame, a close frame, or the connection closed; pings from the server are not one
          byte[] got = raw.readFrame(ANSWER_MS);
          if (got == null) {
            problems.add("websocket frame hung: first byte " + (f[0] & 0xff));
          } else if (got.length == 0) {
            count("websocket.closed");
          } else if ((got[0] & 0x0f) == 0x8) {
            count("websocket.close-frame");
          } else if (new String(got, StandardCharsets.UTF_8).contains("\"rejected\"")) {
            count("websocket.rejected");
          } else {
            count("websocket.other-answer");
          }
        }
      }));
    }
    for (Future<?> d : done) d.get(120, TimeUnit.SECONDS);
  }

  /**
   * Slow clients: half trickle their headers, half their body, one byte every 200 ms; every one must be cut (408 or
   * closed) within the read timeouts plus slack.
   */
  static void slowClients(String name, int port, int n) {
    List<Raw> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Raw r = new Raw(port);
      if (i % 2 == 0) r.send("GET /v1/context HTTP/1.1\r\nHost: x\r\n");
      else r.send("POST /v1/events/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[");
      clients.add(r);
      count("slowloris-" + name + ".tried");
    }
    long deadline = System.nanoTime() + 6_000_000_000L;
    List<Raw> open = new ArrayList<>(clients);
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (Raw r : new ArrayList<>(open)) {
        r.send("1");
        if (r.socket.isClosed() || r.closedWithin(1)) {
          open.remove(r);
          count("slowloris-" + name + ".cut");
        }
      }
      HardenedPortsIT.sleep(200);
    }
    open.forEach(r -> problems.add("slow client on " + name + " not cut"));
    clients.forEach(Raw::close);
  }

  /** What an input must get: a 4xx with a reason, or any HTTP answer (a mutation may still be a valid request). */
  enum Expect { REFUSED, ANY_ANSWER }

  static void run(ExecutorService pool, String category, List<Supplier<byte[]>> inputs, int port, Expect expect)
      throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (Supplier<byte[]> in : inputs) {
      done.add(pool.submit(() -> {
        count(category + ".tried");
        byte[] request = in.get();
        try (Raw raw = new Raw(port)) {
          raw.send(request);
          Raw.Answer ans = raw.answer(ANSWER_MS);
          if (ans.timedOut() && ans.status() == 0) {
            problems.add(category + " hung: " + abbreviate(request));
          } else if (ans.status() >= 400 && ans.status() < 500) {
            count(category + ".4xx");
            if (ans.errorName() == null) problems.add(category + " " + ans.status() + " without a reason: "
                + abbreviate(request) + " -> " + abbreviate(ans.text().getBytes(StandardCharsets.ISO_8859_1)));
          } else if (ans.status() == 0) {
            count(category + ".closed");
            problems.add(category + " closed without an answer: " + abbreviate(request));
          } else {
            count(category + "." + ans.status() / 100 + "xx");
            if (expect == Expect.REFUSED) problems.add(category + " answered " + ans.status() + ": "
                + abbreviate(request));
          }
        }
      }));
    }
    for (Future<?> d : done) d.get(120, TimeUnit.SECONDS);
  }

  static void count(String key) {
    counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  static String abbreviate(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 120), StandardCharsets.ISO_8859_1).replace("\r\n", "\\r\\n");
    return b.length > 120 ? s + "..." : s;
  }

  static long heapAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  static long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    } catch (IOException ignored) {
      // not Linux
    }
    return -1;
  }

  static double mib(long bytes) {
    return bytes / 1048576.0;
  }
}

package dev.procgroup.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.procgroup.api.v1alpha1.ProcessGroupStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The shared-state example (examples/shared-state) as a user applies it, in a restricted namespace of its own: Redis
 * (order 0, Debian's redis-server) Ready before the web tier (order 1, two replicas) starts; counters and sessions
 * written through one web pod read through the other; nothing lost when a web pod is deleted or Redis's container is
 * killed. The web pods are called from the node by their pod IPs, so each request goes to the replica the test
 * chose. Figures go to target/shared-state-measurements.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedStateExampleE2E {
  static final String GROUP = "shared-state";
  static final Path EXAMPLE = LocalCluster.ROOT.resolve("examples/shared-state/procgroup.yaml");
  static final String SECRET = "shared-state-redis-auth";
  static final int WEB_PORT = 8080;
  static final Duration LONG = Duration.ofMinutes(4);
  static final ObjectMapper JSON = new ObjectMapper();

  LocalCluster cluster;
  KubernetesClient client;
  String ns;
  NamespaceWatch watch;
  String password;
  /** Increments of counter "visits" so far, through any web pod: what every read must return. */
  int visits;
  /** The session created in test 3, as its Cookie header. */
  String sessionCookie;
  final List<String> measurements = new ArrayList<>();

  @BeforeAll
  void namespaceWithTheGroupsSecret() throws IOException {
    cluster = LocalCluster.get();
    client = cluster.client;
    cluster.installChartUnlessInstalled();
    ns = cluster.newRestrictedNamespace("state");
    watch = new NamespaceWatch(client, ns);
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    password = HexFormat.of().formatHex(random);
    // What the example's README has the user do: the password the redis and web processes read from the Secret.
    client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(SECRET).endMetadata()
        .addToStringData("password", password).build()).create();
  }

  @AfterAll
  void cleanUp() throws IOException {
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/shared-state-measurements.txt"), String.join("\n", measurements) + "\n");
    if (watch != null) watch.close();
    if (ns != null) cluster.deleteGroupThenNamespace(ns, GROUP);
  }

  @Test
  @Order(1)
  void redisIsReadyBeforeTheWebTierStartsAndEachProcessGetsItsService() {
    Instant applied = Instant.now();
    cluster.kubectl("apply", "-n", ns, "-f", EXAMPLE.toString());
    ProcessGroupStatus s = cluster.awaitRunning(ns, GROUP);
    measure("shared-state (redis + 2 web): kubectl apply -> Running: %d ms", Duration.between(applied, Instant.now()).toMillis());
    assertThat(s.getReady()).isEqualTo("3/3");

    List<NamespaceWatch.PodSeen> redis = watch.pods(GROUP, "redis", p -> true);
    List<NamespaceWatch.PodSeen> web = watch.pods(GROUP, "web", p -> true);
    assertThat(redis).hasSize(1);
    assertThat(web).hasSize(2);
    Instant redisReady = redis.get(0).firstReady;
    Instant firstWeb = web.stream().map(p -> p.added).min(Instant::compareTo).orElseThrow();
    assertThat(firstWeb).as("the first web pod appeared after the redis pod was Ready (the test's own watch)")
        .isAfter(redisReady);
    // The cluster's own records (second resolution) agree.
    Instant redisReadySince = ProcgroupE2E.readySince(pods("redis").get(0));
    for (Pod p : pods("web")) {
      assertThat(Instant.parse(p.getMetadata().getCreationTimestamp())).isAfterOrEqualTo(redisReadySince);
    }
    measure("redis pod added -> Ready: %d ms; redis Ready -> first web pod: %d ms",
        Duration.between(redis.get(0).added, redisReady).toMillis(), Duration.between(redisReady, firstWeb).toMillis());

    // Each process with ports has its Service, named in the status; web finds Redis by that name (its REDIS_URL).
    assertThat(ProcgroupE2E.process(s, "redis").getService()).isEqualTo("shared-state-redis." + ns + ".svc");
    assertThat(ProcgroupE2E.process(s, "web").getService()).isEqualTo("shared-state-web." + ns + ".svc");
    var svc = client.services().inNamespace(ns).withName("shared-state-redis").get();
    assertThat(svc.getSpec().getPorts()).singleElement().satisfies(port -> assertThat(port.getPort()).isEqualTo(6379));
  }

  @Test
  @Order(2)
  void incrementsThroughBothWebPodsCountOneSequenceAndBothReadTheSameTotal() throws Exception {
    List<Pod> web = pods("web");
    assertThat(web).hasSize(2);
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) seen.add(increment(web.get(i % 2), "visits"));
    visits = 20;
    assertThat(seen).as("alternating between the pods, one counter").containsExactlyElementsOf(
        java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
    for (Pod p : web) assertThat(counter(p, "visits")).as("read through %s", name(p)).isEqualTo(visits);

    // Concurrent increments through both pods: INCR is atomic in Redis, so every value is handed out exactly once.
    long t0 = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 100; i++) calls.add(cluster.http.sendAsync(post(web.get(i % 2), "/counters/visits", null, null),
        HttpResponse.BodyHandlers.ofString()));
    List<Integer> values = new ArrayList<>();
    for (var c : calls) {
      HttpResponse<String> r = c.get();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      values.add(JSON.readTree(r.body()).path("value").asInt());
    }
    visits += 100;
    measure("100 concurrent increments through both web pods: %d ms", (System.nanoTime() - t0) / 1_000_000);
    assertThat(values).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.rangeClosed(21, 120).boxed().toList());
    for (Pod p : web) assertThat(counter(p, "visits")).isEqualTo(visits);
  }

  @Test
  @Order(3)
  void aSessionCreatedThroughOneWebPodIsReadThroughTheOther() throws Exception {
    List<Pod> web = pods("web");
    HttpResponse<String> created = cluster.http.send(post(web.get(0), "/session", "{\"user\":\"ada\",\"cart\":[1,2]}", null),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String setCookie = created.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).matches("sid=[0-9a-f-]{36}; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax");
    sessionCookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(JSON.readTree(created.body()).path("createdBy").asText()).isEqualTo(name(web.get(0)));

    JsonNode read = session(web.get(1));
    assertThat(read.path("data").toString()).isEqualTo("{\"user\":\"ada\",\"cart\":[1,2]}");
    assertThat(read.path("createdBy").asText()).isEqualTo(name(web.get(0)));
    assertThat(read.path("servedBy").asText()).isEqualTo(name(web.get(1)));
    assertThat(read.path("views").asInt()).isEqualTo(1);
    assertThat(session(web.get(0)).path("views").asInt()).as("counted once per read, on either pod").isEqualTo(2);
  }

  @Test
  @Order(4)
  void redisAnswersNoCommandWithoutThePassword() throws Exception {
    // Port 6379 is open to the cluster (the group's NetworkPolicy admits a process's declared ports): the
    // password is the guard. From the node, straight to the redis pod and through its Service's virtual IP.
    String podIp = pods("redis").get(0).getStatus().getPodIP();
    String clusterIp = client.services().inNamespace(ns).withName("shared-state-redis").get().getSpec().getClusterIP();
    for (String host : List.of(podIp, clusterIp)) {
      assertThat(redisReplies(host, "GET counter:visits")).as(host).startsWith("-NOAUTH");
      assertThat(redisReplies(host, "AUTH " + password, "GET counter:visits"))
          .as("with the Secret's password: the counter").isEqualTo("+OK\r\n$" + String.valueOf(visits).length() + "\r\n" + visits);
      assertThat(redisReplies(host, "AUTH " + password, "FLUSHALL")).as("and still no FLUSHALL").startsWith("+OK\r\n-NOPERM");
    }
  }

  @Test
  @Order(5)
  void theCountAndTheSessionSurviveAWebPodBeingDeletedAndTheOtherServesMeanwhile() throws Exception {
    List<Pod> web = pods("web");
    Pod doomed = web.get(0);
    Instant deleted = Instant.now();
    cluster.kubectl("delete", "pod", "-n", ns, name(doomed), "--wait=true", "--timeout=120s");
    // The survivor answers while its peer is gone.
    Pod survivor = web.get(1);
    assertThat(increment(survivor, "visits")).isEqualTo(++visits);
    await().atMost(LONG).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Pod> now = pods("web");
      return now.size() == 2 && now.stream().allMatch(ProcgroupE2E::ready)
          && now.stream().noneMatch(p -> name(p).equals(name(doomed)));
    });
    Instant replaced = Instant.now();
    measure("web pod deleted -> its replacement Ready: %d ms", Duration.between(deleted, replaced).toMillis());
    assertThat(watch.minReady(GROUP, "web", deleted, replaced)).as("Ready web pods while one was replaced").isGreaterThanOrEqualTo(1);

    Pod fresh = pods("web").stream().filter(p -> !name(p).equals(name(survivor))).findFirst().orElseThrow();
    assertThat(counter(fresh, "visits")).as("the new pod reads the count written before it existed").isEqualTo(visits);
    assertThat(session(fresh).path("data").path("user").asText()).isEqualTo("ada");
    assertThat(increment(fresh, "visits")).isEqualTo(++visits);
    assertThat(counter(survivor, "visits")).isEqualTo(visits);
  }

  @Test
  @Order(6)
  void theCountSurvivesRedisContainerKilledThroughItsAppendOnlyFileOnTheEmptyDir() throws Exception {
    Pod redis = pods("redis").get(0);
    int restartsBefore = ControlPlane.containerStatus(redis, "redis").getRestartCount();
    // appendfsync everysec: a write is on disk within a second; the kill comes after that.
    Thread.sleep(1500);
    Instant killed = Instant.now();
    new ControlPlane(cluster).killContainer(redis, "redis");
    await().atMost(LONG).pollInterval(Duration.ofMillis(250)).until(() -> {
      Pod p = client.pods().inNamespace(ns).withName(name(redis)).get();
      return ControlPlane.containerStatus(p, "redis").getRestartCount() > restartsBefore && ProcgroupE2E.ready(p)
          && pods("web").stream().allMatch(ProcgroupE2E::ready);
    });
    measure("redis container SIGKILLed -> redis and both web pods Ready again: %d ms",
        Duration.between(killed, Instant.now()).toMillis());
    // A web pod may still be reconnecting (backing off up to a second): read until it answers, then exactly.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      for (Pod p : pods("web")) assertThat(counter(p, "visits")).as("after Redis restarted, via %s", name(p)).isEqualTo(visits);
    });
    assertThat(session(pods("web").get(1)).path("data").path("user").asText()).isEqualTo("ada");
  }

  // -- helpers --------------------------------------------------------------------------------------------------

  /** The process's pods that are not terminating, by name. */
  List<Pod> pods(String process) {
    return client.pods().inNamespace(ns).withLabel(NamespaceWatch.GROUP, GROUP).withLabel(NamespaceWatch.PROCESS, process)
        .list().getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .sorted(java.util.Comparator.comparing(SharedStateExampleE2E::name)).toList();
  }

  static String name(Pod p) {
    return p.getMetadata().getName();
  }

  HttpRequest post(Pod pod, String path, String body, String cookie) {
    var b = HttpRequest.newBuilder(URI.create("http://" + pod.getStatus().getPodIP() + ":" + WEB_PORT + path))
        .timeout(Duration.ofSeconds(10))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (cookie != null) b.header("cookie", cookie);
    return b.build();
  }

  JsonNode getJson(Pod pod, String path, String cookie) throws IOException, InterruptedException {
    var b = HttpRequest.newBuilder(URI.create("http://" + pod.getStatus().getPodIP() + ":" + WEB_PORT + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (cookie != null) b.header("cookie", cookie);
    HttpResponse<String> r = cluster.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s on %s: %s", path, name(pod), r.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.path("servedBy").asText()).as("the pod called answered").isEqualTo(name(pod));
    return json;
  }

  int increment(Pod pod, String counter) throws IOException, InterruptedException {
    HttpResponse<String> r = cluster.http.send(post(pod, "/counters/" + counter, null, null), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("POST /counters/%s on %s: %s", counter, name(pod), r.body()).isEqualTo(200);
    JsonNode json = JSON.readTree(r.body());
    assertThat(json.path("servedBy").asText()).isEqualTo(name(pod));
    return json.path("value").asInt();
  }

  int counter(Pod pod, String counter) throws IOException, InterruptedException {
    return getJson(pod, "/counters/" + counter, null).path("value").asInt();
  }

  JsonNode session(Pod pod) throws IOException, InterruptedException {
    assertThat(sessionCookie).as("the session of test 3").isNotNull();
    return getJson(pod, "/session", sessionCookie);
  }

  /** Sends RESP inline commands to Redis on HOST:6379 in one write; returns every reply byte up to a short quiet. */
  static String redisReplies(String host, String... commands) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, 6379), 5000);
      s.setSoTimeout(500);
      OutputStream out = s.getOutputStream();
      out.write((String.join("\r\n", commands) + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[512];
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until) {
        int n;
        try {
          n = in.read(buf);
        } catch (java.net.SocketTimeoutException quiet) {
          if (got.length() > 0) break;
          continue;
        }
        if (n < 0) break;
        got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      return got.toString().strip();
    }
  }

  void measure(String format, Object... args) {
    String line = "[measure] " + String.format(format, args);
    System.out.println(line);
    measurements.add(line);
  }
}

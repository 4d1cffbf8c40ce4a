package dev.procgroup.operator.support;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts every request the operator's client sends to the API server, by verb (Kubernetes' audit verbs: get,
 * list, watch, create, update, patch, delete), resource and namespace ("" for cluster-wide requests), as
 * {@code procgroup_operator_api_requests_total}. The namespace says whose groups cost the calls; there are as
 * many as namespaces with groups.
 * This is how "a converged group costs no API write" is measured, by the tests and by anyone with a Prometheus.
 */
public final class ApiRequests implements Interceptor {
  public static final String METRIC = "procgroup.operator.api.requests";
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  public ApiRequests(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The operator's client: the given configuration, every request counted here. */
  public KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("procgroup-api-requests", this)).build();
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String verb = verb(request.method(), request.uri().getRawQuery(), request.uri().getPath());
    String path = request.uri().getPath();
    String resource = resource(path);
    String namespace = namespace(path);
    counters.computeIfAbsent(verb + " " + resource + " " + namespace, k -> Counter.builder(METRIC)
        .description("Requests the operator sent to the Kubernetes API server")
        .tag("verb", verb).tag("resource", resource).tag("namespace", namespace).register(registry)).increment();
  }

  /** The audit verb of a request: GET is get, list or watch depending on the path and query. */
  static String verb(String method, String query, String path) {
    return switch (method) {
      case "GET" -> query != null && query.matches("(.*&)?watch=(true|1)(&.*)?") ? "watch"
          : isCollection(path) ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> method.toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** Whether a verb changes something: what a converged group must never cause. */
  public static boolean isWrite(String verb) {
    return switch (verb) {
      case "create", "update", "patch", "delete" -> true;
      default -> false;
    };
  }

  /**
   * The resource (with subresource) a path names: /api/v1/namespaces/ns/pods/p/status is "pods/status",
   * /apis/apps/v1/deployments is "deployments".
   */
  static String resource(String path) {
    String[] parts = segments(path);
    int i = resourceIndex(parts);
    if (i >= parts.length) return parts.length > 0 ? parts[parts.length - 1] : "";
    return i + 2 < parts.length ? parts[i] + "/" + parts[i + 2] : parts[i];
  }

  /** The namespace a path is in, "" when it is cluster-wide (a list across namespaces, a namespace itself). */
  static String namespace(String path) {
    String[] parts = segments(path);
    int i = resourceIndex(parts);
    return i >= 2 && i - 2 < parts.length && parts[i - 2].equals("namespaces") ? parts[i - 1] : "";
  }

  private static boolean isCollection(String path) {
    String[] parts = segments(path);
    return parts.length == resourceIndex(parts) + 1;
  }

  private static String[] segments(String path) {
    return path.replaceAll("^/+|/+$", "").split("/");
  }

  /** Where the resource's name stands: after api/v1 or apis/group/version, and namespaces/NAME if namespaced. */
  private static int resourceIndex(String[] parts) {
    int i = parts.length > 0 && parts[0].equals("api") ? 2 : 3;
    return i + 2 < parts.length && parts[i].equals("namespaces") ? i + 2 : i;
  }
}

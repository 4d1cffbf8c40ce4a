package dev.procgroup.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart's PodMonitor and ServiceMonitor (as {@code helm template} renders them) turned into Prometheus scrape
 * configurations the way the prometheus-operator does, for the parts the chart uses: namespace selection, label
 * selectors (matchLabels, matchExpressions Exists), the port by name or number, path, honorLabels, relabelings, and
 * the operator's default target labels (namespace, pod, container, service; job "namespace/name"). So the e2e
 * Prometheus, a plain one on the node, selects exactly what the chart's monitors select.
 */
final class MonitorScrapeConfig {
  private MonitorScrapeConfig() {}

  static Map<String, Object> podMonitor(JsonNode pm, String kubeconfig, String interval) {
    JsonNode spec = pm.path("spec");
    JsonNode ep = spec.path("podMetricsEndpoints").get(0);
    List<Map<String, Object>> relabel = new ArrayList<>(selector(spec.path("selector"), "pod"));
    if (ep.hasNonNull("port")) {
      relabel.add(keep("__meta_kubernetes_pod_container_port_name", ep.get("port").asText()));
    } else {
      relabel.add(keep("__meta_kubernetes_pod_container_port_number", ep.get("targetPort").asText()));
    }
    relabel.add(copy("__meta_kubernetes_namespace", "namespace"));
    relabel.add(copy("__meta_kubernetes_pod_container_name", "container"));
    relabel.add(copy("__meta_kubernetes_pod_name", "pod"));
    relabel.addAll(relabelings(ep.path("relabelings")));
    return job(pm, spec, "pod", kubeconfig, interval, ep, relabel);
  }

  static Map<String, Object> serviceMonitor(JsonNode sm, String kubeconfig, String interval) {
    JsonNode spec = sm.path("spec");
    JsonNode ep = spec.path("endpoints").get(0);
    List<Map<String, Object>> relabel = new ArrayList<>(selector(spec.path("selector"), "service"));
    relabel.add(keep("__meta_kubernetes_endpoint_port_name", ep.get("port").asText()));
    relabel.add(copy("__meta_kubernetes_namespace", "namespace"));
    relabel.add(copy("__meta_kubernetes_service_name", "service"));
    relabel.add(copy("__meta_kubernetes_pod_name", "pod"));
    relabel.addAll(relabelings(ep.path("relabelings")));
    return job(sm, spec, "endpoints", kubeconfig, interval, ep, relabel);
  }

  private static Map<String, Object> job(JsonNode monitor, JsonNode spec, String role, String kubeconfig,
      String interval, JsonNode ep, List<Map<String, Object>> relabel) {
    Map<String, Object> sd = new LinkedHashMap<>();
    sd.put("role", role);
    sd.put("kubeconfig_file", kubeconfig);
    JsonNode names = spec.path("namespaceSelector").path("matchNames");
    if (names.isArray() && !spec.path("namespaceSelector").path("any").asBoolean(false)) {
      List<String> ns = new ArrayList<>();
      names.forEach(n -> ns.add(n.asText()));
      sd.put("namespaces", Map.of("names", ns));
    }
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("job_name", monitor.path("metadata").path("namespace").asText() + "/" + monitor.path("metadata").path("name").asText());
    job.put("scrape_interval", interval);
    job.put("metrics_path", ep.path("path").asText("/metrics"));
    job.put("honor_labels", ep.path("honorLabels").asBoolean(false));
    job.put("kubernetes_sd_configs", List.of(sd));
    job.put("relabel_configs", relabel);
    return job;
  }

  private static List<Map<String, Object>> selector(JsonNode selector, String role) {
    List<Map<String, Object>> out = new ArrayList<>();
    selector.path("matchLabels").fields().forEachRemaining(e ->
        out.add(keep("__meta_kubernetes_" + role + "_label_" + sanitize(e.getKey()), e.getValue().asText())));
    for (JsonNode expr : selector.path("matchExpressions")) {
      String op = expr.path("operator").asText();
      if (!"Exists".equals(op)) throw new IllegalArgumentException("selector operator " + op + " not translated");
      out.add(keep("__meta_kubernetes_" + role + "_labelpresent_" + sanitize(expr.path("key").asText()), "true"));
    }
    return out;
  }

  private static List<Map<String, Object>> relabelings(JsonNode list) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode r : list) {
      Map<String, Object> m = new LinkedHashMap<>();
      List<String> sources = new ArrayList<>();
      r.path("sourceLabels").forEach(s -> sources.add(s.asText()));
      m.put("source_labels", sources);
      if (r.hasNonNull("targetLabel")) m.put("target_label", r.get("targetLabel").asText());
      if (r.hasNonNull("regex")) m.put("regex", r.get("regex").asText());
      if (r.hasNonNull("action")) m.put("action", r.get("action").asText().toLowerCase());
      out.add(m);
    }
    return out;
  }

  static String sanitize(String label) {
    return label.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static Map<String, Object> keep(String label, String regex) {
    return Map.of("source_labels", List.of(label), "regex", regex, "action", "keep");
  }

  private static Map<String, Object> copy(String from, String to) {
    return Map.of("source_labels", List.of(from), "target_label", to);
  }
}

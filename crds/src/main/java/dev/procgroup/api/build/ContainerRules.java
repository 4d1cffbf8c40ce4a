package dev.procgroup.api.build;

import dev.procgroup.api.v1alpha1.Formats;
import dev.procgroup.api.v1alpha1.Limits;
import dev.procgroup.api.v1alpha1.Reserved;
import java.util.List;

/**
 * Validation for the parts of a process that reuse Kubernetes' own types (EnvVar, ContainerPort, Probe,
 * ResourceRequirements) and so carry no annotations of ours: what the API server would refuse later in the
 * Deployment, and what the hub sidecar already uses. Applied to the generated schema by {@link CrdFinisher}.
 */
final class ContainerRules {
  static final List<String> PROBES = List.of("readiness", "liveness", "startup");

  static final String ENV_RESERVED = "!self.startsWith('" + Reserved.ENV_PREFIX + "')";
  static final String ENV_RESERVED_MESSAGE = "env names starting with " + Reserved.ENV_PREFIX + " are the operator's "
      + "(it sets PROCGROUP_GROUP, PROCGROUP_PROCESS, PROCGROUP_NAMESPACE, PROCGROUP_POD_NAME, PROCGROUP_HUB_URL)";
  static final String ENV_VALUE_OR_FROM = "!has(self.value) || size(self.value) == 0 || !has(self.valueFrom)";
  static final String ENV_VALUE_OR_FROM_MESSAGE = "env[] sets value or valueFrom, not both";
  static final String ENV_ONE_SOURCE = "has(self.fileKeyRef) || (has(self.fieldRef) ? 1 : 0)"
      + " + (has(self.resourceFieldRef) ? 1 : 0) + (has(self.configMapKeyRef) ? 1 : 0) + (has(self.secretKeyRef) ? 1 : 0)"
      + " == 1";
  static final String ENV_ONE_SOURCE_MESSAGE =
      "env[].valueFrom needs exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef";
  static final String ENV_NO_FILE_KEY = "!has(self.fileKeyRef)";
  static final String ENV_NO_FILE_KEY_MESSAGE =
      "env[].valueFrom.fileKeyRef is not supported: it reads a volume the process pod does not have";

  static final String PORT_HAS_LETTER = "self.matches('[a-z]')";
  static final String PORT_HAS_LETTER_MESSAGE = "a port name needs a letter (an IANA service name, as Kubernetes "
      + "requires): http, metrics-2";
  static final String PORT_NAME_RESERVED = "!(self in " + Reserved.PORT_NAMES_CEL + ")";
  static final String PORT_NAME_RESERVED_MESSAGE = "port names " + String.join(" and ", Reserved.PORT_NAMES)
      + " are the hub sidecar's";
  static final String NO_HOST_PORT = "!has(self.hostPort) && !has(self.hostIP)";
  static final String NO_HOST_PORT_MESSAGE = "ports[].hostPort and hostIP are not supported: other workloads reach "
      + "a process through its Service (the restricted pod security standard forbids host ports, too)";

  static final String ONE_HANDLER = "(has(self.exec) ? 1 : 0) + (has(self.httpGet) ? 1 : 0)"
      + " + (has(self.tcpSocket) ? 1 : 0) + (has(self.grpc) ? 1 : 0) == 1";
  static final String ONE_HANDLER_MESSAGE = "a probe needs exactly one of exec, httpGet, tcpSocket or grpc";
  static final String SUCCESS_ONCE = "!has(self.successThreshold) || self.successThreshold == 1";
  static final String SUCCESS_ONCE_MESSAGE = "successThreshold must be 1 for liveness and startup probes";
  static final String PORT_NUMBER = "type(self.port) == string || (self.port >= 1 && self.port <= "
      + Limits.MAX_PORT + ")";
  static final String PORT_NUMBER_MESSAGE = "a probe's port is a number from 1 to " + Limits.MAX_PORT
      + " or the name of one of the process's ports";

  static final String RESOURCE_NAMES = "self.all(k, k in ['cpu', 'memory', 'ephemeral-storage']"
      + " || k.startsWith('hugepages-') || k.contains('/'))";
  static final String RESOURCE_NAMES_MESSAGE = "resources name cpu, memory, ephemeral-storage, hugepages-<size> or "
      + "an extended resource (example.com/gpu)";
  /** Kubernetes does not overcommit these: a request needs a limit (equal to it, which the operator checks). */
  static final String NOT_OVERCOMMITTED = "!has(self.requests) || self.requests.all(k,"
      + " !(k.startsWith('hugepages-') || k.contains('/')) || (has(self.limits) && k in self.limits))";
  static final String NOT_OVERCOMMITTED_MESSAGE = "resources.requests of hugepages-<size> and extended resources "
      + "(example.com/gpu) need an equal resources.limits: Kubernetes does not overcommit them";
  static final String NO_CLAIMS = "!has(self.claims) || size(self.claims) == 0";
  static final String NO_CLAIMS_MESSAGE = "resources.claims is not supported: process pods have no resource claims";

  static final String NOT_TMP = "self != '" + Reserved.TMP + "'";
  static final String NOT_TMP_MESSAGE = Reserved.TMP + " is always writable (an emptyDir): leave it out of "
      + "writablePaths";

  private ContainerRules() {}

  /** A probe of a process whose port, when named, must be one of the process's ports. */
  static String namedPortRule(String probe, String handler) {
    String port = "self." + probe + "." + handler + ".port";
    return "!has(self." + probe + ") || !has(self." + probe + "." + handler + ") || type(" + port + ") == int"
        + " || (has(self.ports) && self.ports.exists(q, has(q.name) && q.name == " + port + "))";
  }

  static String namedPortMessage(String probe, String handler) {
    return probe + "." + handler + ".port names no port of this process: use a number or one of ports[].name";
  }

  /** Rules for one entry of spec.processes. */
  static void process(Schema process) {
    env(process.at("env"));
    ports(process.at("ports"));
    for (String probe : PROBES) {
      probe(process.at(probe), !probe.equals("readiness"));
      for (String handler : List.of("httpGet", "tcpSocket")) {
        process.rule(namedPortRule(probe, handler), namedPortMessage(probe, handler),
            "." + probe + "." + handler + ".port", null);
      }
    }
    resources(process.at("resources"));
    writablePaths(process.at("writablePaths"));
  }

  /** An env list: spec.env or spec.processes[].env. */
  static void env(Schema list) {
    list.listMap("name");
    Schema item = list.items().required("name")
        .rule(ENV_VALUE_OR_FROM, ENV_VALUE_OR_FROM_MESSAGE, ".valueFrom", null);
    item.at("name").length(1, Limits.MAX_ENV_NAME).pattern(Formats.ENV_NAME).rule(ENV_RESERVED, ENV_RESERVED_MESSAGE);
    Schema from = item.at("valueFrom").rule(ENV_ONE_SOURCE, ENV_ONE_SOURCE_MESSAGE)
        .rule(ENV_NO_FILE_KEY, ENV_NO_FILE_KEY_MESSAGE, ".fileKeyRef", null);
    Schema field = from.at("fieldRef").required("fieldPath");
    field.at("fieldPath").pattern(Formats.FIELD_PATH);
    field.at("apiVersion").pattern("^v1$");
    Schema resource = from.at("resourceFieldRef").required("resource");
    resource.at("resource").pattern(Formats.RESOURCE_FIELD);
    quantity(resource.at("divisor"));
    for (String ref : List.of("configMapKeyRef", "secretKeyRef")) {
      Schema r = from.at(ref).required("name", "key");
      r.at("name").length(1, Limits.MAX_SUBDOMAIN).pattern(Formats.DNS_SUBDOMAIN);
      r.at("key").length(1, Limits.MAX_SUBDOMAIN).pattern(Formats.CONFIG_KEY);
    }
  }

  static void ports(Schema list) {
    Schema item = list.items().required("containerPort")
        .rule(NO_HOST_PORT, NO_HOST_PORT_MESSAGE, ".hostPort", null);
    item.at("containerPort").range(1, Limits.MAX_PORT);
    item.at("name").length(1, Limits.MAX_PORT_NAME).pattern(Formats.PORT_NAME)
        .rule(PORT_HAS_LETTER, PORT_HAS_LETTER_MESSAGE)
        .rule(PORT_NAME_RESERVED, PORT_NAME_RESERVED_MESSAGE);
    item.at("protocol").length(0, 4).pattern(Formats.PROTOCOL);
  }

  static void probe(Schema probe, boolean succeedsOnce) {
    probe.rule(ONE_HANDLER, ONE_HANDLER_MESSAGE);
    if (succeedsOnce) probe.rule(SUCCESS_ONCE, SUCCESS_ONCE_MESSAGE, ".successThreshold", null);
    probe.at("initialDelaySeconds").range(0, Limits.MAX_PROBE_SECONDS);
    probe.at("periodSeconds").range(1, Limits.MAX_PROBE_SECONDS);
    probe.at("timeoutSeconds").range(1, Limits.MAX_PROBE_SECONDS);
    probe.at("terminationGracePeriodSeconds").range(1, Limits.MAX_GRACE_SECONDS);
    probe.at("failureThreshold").range(1, Limits.MAX_PROBE_THRESHOLD);
    probe.at("successThreshold").range(1, Limits.MAX_PROBE_THRESHOLD);
    probe.at("exec").required("command").at("command").minItems(1).maxItems(Limits.MAX_COMMAND_ITEMS);
    probe.at("grpc").required("port").at("port").range(1, Limits.MAX_PORT);
    Schema http = probe.at("httpGet").required("port").rule(PORT_NUMBER, PORT_NUMBER_MESSAGE, ".port", null);
    http.at("scheme").pattern(Formats.HTTP_SCHEME);
    Schema headers = http.at("httpHeaders").maxItems(Limits.MAX_HEADERS);
    headers.items().required("name", "value").at("name").pattern(Formats.HTTP_HEADER_NAME);
    probe.at("tcpSocket").required("port").rule(PORT_NUMBER, PORT_NUMBER_MESSAGE, ".port", null);
  }

  static void resources(Schema resources) {
    // requests <= limits is the operator's check: quantity() over an int-or-string value, whose length the
    // schema cannot bound for CEL's cost estimate, exceeds the API server's budget 48 times over
    resources.rule(NOT_OVERCOMMITTED, NOT_OVERCOMMITTED_MESSAGE, ".limits", "FieldValueRequired")
        .rule(NO_CLAIMS, NO_CLAIMS_MESSAGE, ".claims", null);
    for (String map : List.of("limits", "requests")) {
      Schema m = resources.at(map).maxProperties(Limits.MAX_RESOURCES).rule(RESOURCE_NAMES, RESOURCE_NAMES_MESSAGE);
      quantity(m.values());
    }
  }

  /** A quantity (int or string): 100m, 64Mi, 2. Non-negative, as every quantity of a container is. */
  static void quantity(Schema q) {
    q.pattern(Formats.QUANTITY).min(0).length(0, Limits.MAX_QUANTITY);
  }

  static void writablePaths(Schema list) {
    list.listSet().maxItems(Limits.MAX_WRITABLE_PATHS);
    list.items().length(1, Limits.MAX_PATH).pattern(Formats.ABSOLUTE_PATH)
        .rule(NOT_TMP, NOT_TMP_MESSAGE);
  }
}
